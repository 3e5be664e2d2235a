-- The counts of every unit of one level (or one parent's children), packed in one value:
-- one grid_stat row per unit (O(units)), sent as one block of bytes, not a row per unit.
-- The units' own columns (code, name, ...) change only with the map: level_units reads them.
-- params: level text, parent_id bigint or NULL (all of the level), at timestamptz or NULL
--         (when "overdue" is judged; NULL = now)
-- columns: store, db, grid_table (which store this is: migration 028), map_version (the
--          change clock's: the map the units are of), wrote (whether this transaction has
--          written: its own grid changes are not yet in map_version), names (the count
--          columns, in packing order), units (the level's), n (units sent: the level's,
--          or every unit when the level is half or more of them), packed2, packed4 and
--          packed8 (bytea, NULL when no such unit: per unit, 8-byte big-endian overdue and
--          grid_id, then grid_stat.counts, of the units whose counts take 2, 4 and 8 bytes
--          each, migration 029; twin/spatial/counts.py)
WITH columns AS MATERIALIZED (
    SELECT names, cardinality(names) AS k FROM twin_stat_counts_columns() AS names
), level AS MATERIALIZED (
    -- a level holding half or more of grid_stat's rows is read whole, its units picked out
    -- by id in Python: hashing 50,000 ids to filter by cost as much as reading every row
    SELECT count(*) AS units,
           %(parent_id)s::bigint IS NULL AND count(*) * 2 >= (
               SELECT reltuples FROM pg_class WHERE oid = 'grid_stat'::regclass) AS every
    FROM grid
    WHERE level = %(level)s AND (%(parent_id)s::bigint IS NULL OR parent_id = %(parent_id)s::bigint)
), checkpoint AS MATERIALIZED (
    SELECT c.at, coalesce(%(at)s::timestamptz, now()) AS upto
    FROM twin_overdue_checkpoint c WHERE c.layer = 'incident'
), finest AS (
    -- grid_stat holds the open cases due before the checkpoint (migration 020); add those
    -- due from it up to the moment judged, or take away those due from that moment up to it,
    -- straight from the partial (due_at, grid_id) index: O(cases in between), not O(overdue)
    SELECT i.grid_id, sum(CASE WHEN i.due_at >= k.at THEN 1 ELSE -1 END) AS n
    FROM incident i, checkpoint k
    WHERE i.status IN ('reported', 'dispatched', 'in_progress', 'escalated')
      AND i.due_at >= (SELECT least(at, upto) FROM checkpoint)
      AND i.due_at < (SELECT greatest(at, upto) FROM checkpoint)
      AND i.grid_id IS NOT NULL
    GROUP BY i.grid_id
), overdue AS (
    -- every ancestor of the few units in between (the join below keeps the level's): not
    -- filtered by the level first, which would hash the whole level for a handful of rows
    -- (LATERAL ... OFFSET 0: each unit's ancestors through the closure's key; the planner,
    -- guessing thousands of units in between, would hash the whole closure)
    SELECT a.ancestor_id AS grid_id, sum(f.n)::bigint AS n
    FROM finest f
    CROSS JOIN LATERAL (SELECT x.ancestor_id FROM grid_ancestor x
                        WHERE x.grid_id = f.grid_id OFFSET 0) a
    GROUP BY a.ancestor_id
)
SELECT (SELECT instance::text FROM twin_change_clock) AS store,
       (SELECT oid FROM pg_database WHERE datname = current_database())::bigint AS db,
       'grid'::regclass::oid::bigint AS grid_table,
       (SELECT map_version FROM twin_change_clock) AS map_version,
       pg_current_xact_id_if_assigned() IS NOT NULL AS wrote,
       (SELECT names FROM columns) AS names,
       (SELECT units FROM level) AS units,
       count(*) AS n,
       string_agg(u.packed, ''::bytea) FILTER (WHERE u.width = 2) AS packed2,
       string_agg(u.packed, ''::bytea) FILTER (WHERE u.width = 4) AS packed4,
       string_agg(u.packed, ''::bytea) FILTER (WHERE u.width = 8) AS packed8
FROM (
    -- the whole table, or only the level's units (the level's ids hashed, grid_stat's wide
    -- rows probing them; a parent's few children by their index): one branch runs
    SELECT grid_id, open_due_before_checkpoint, counts FROM grid_stat
    WHERE (SELECT every FROM level)
    UNION ALL
    SELECT grid_id, open_due_before_checkpoint, counts FROM grid_stat
    WHERE NOT (SELECT every FROM level)
      AND grid_id IN (SELECT id FROM grid
                      WHERE level = %(level)s
                        AND (%(parent_id)s::bigint IS NULL OR parent_id = %(parent_id)s::bigint))
) s
LEFT JOIN overdue o ON o.grid_id = s.grid_id
CROSS JOIN LATERAL (
    SELECT int8send(s.open_due_before_checkpoint + coalesce(o.n, 0)) || int8send(s.grid_id)
           || s.counts AS packed,
           -- bytes per count; NULL (in no block, so the units do not add up) for a length
           -- of none of the widths
           CASE octet_length(s.counts) WHEN (SELECT 2 * k FROM columns) THEN 2
                WHEN (SELECT 4 * k FROM columns) THEN 4 WHEN (SELECT 8 * k FROM columns) THEN 8
           END AS width
) u;
