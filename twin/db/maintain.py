"""Upkeep after bulk writes: fresh statistics, and grid_stat rewritten when it has bloated.

A bulk recount rewrites every grid_stat row once per point layer and column reset, in one
transaction: nothing can be pruned before it commits, and VACUUM afterwards frees the space
without returning it, so every all-grid read keeps scanning the dead pages (182 MB for
53,537 rows at metro size, 4x what they need). The rewrite (VACUUM FULL) holds an exclusive
lock on grid_stat for as long as it takes to copy the live rows (about a second at metro
size), so it runs only when the table is more than BLOATED times the size its rows need.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

BLOATED = 2.0  # rewrite grid_stat when its heap is more than this times what its rows need
PAGE = 8192
# The tables live writes update in place all day (migrations 006, 020, 022).
HOT_TABLES = ("grid_stat", "grid_change", "twin_change_clock", "twin_overdue_checkpoint")


@dataclass(frozen=True)
class Upkeep:
    """What a maintenance pass found and did."""

    before_bytes: int
    after_bytes: int
    needed_bytes: int
    rewritten: bool

    def summary(self) -> str:
        """One line for the CLI."""
        done = "rewritten" if self.rewritten else "vacuumed (not bloated)"
        return (
            f"grid_stat {done}: {self.before_bytes / 1e6:,.1f} MB -> "
            f"{self.after_bytes / 1e6:,.1f} MB (its rows need {self.needed_bytes / 1e6:,.1f} MB)"
        )


def grid_stat_bytes(conn: psycopg.Connection) -> tuple[int, int]:
    """grid_stat's heap size, and what its live rows need at its fillfactor."""
    row = conn.execute(
        "SELECT pg_relation_size('grid_stat'),"
        " (SELECT coalesce(sum(pg_column_size(s.*) + 4), 0) FROM grid_stat s),"  # + line pointer
        " coalesce((SELECT split_part(o, '=', 2)::int FROM pg_class c, unnest(c.reloptions) o"
        "           WHERE c.oid = 'grid_stat'::regclass AND o LIKE 'fillfactor=%'), 100)"
    ).fetchone()
    assert row is not None
    size, live, fill = int(row[0]), int(row[1]), int(row[2])
    return size, max(PAGE, int(live * 100 / fill))


def maintain(conn: psycopg.Connection, everything: bool = False) -> Upkeep:
    """VACUUM (ANALYZE) the tables live writes update (everything: the whole database), and
    rewrite grid_stat when bloated. Needs an autocommit connection (VACUUM runs outside
    transactions)."""
    before, needed = grid_stat_bytes(conn)
    rewrite = before > BLOATED * needed
    if rewrite:
        conn.execute("VACUUM (FULL, ANALYZE) grid_stat")
    if everything:
        conn.execute("VACUUM (ANALYZE)")
    else:
        for table in HOT_TABLES if not rewrite else HOT_TABLES[1:]:
            conn.execute(f"VACUUM (ANALYZE) {table}")  # names from the constant above
    after, needed = grid_stat_bytes(conn)
    return Upkeep(before, after, needed, rewrite)
