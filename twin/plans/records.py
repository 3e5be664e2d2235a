"""A plan's records: the plan, its rows of changed units, and the errors of every refusal."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import psycopg
import shapely
from psycopg.rows import dict_row
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from twin.db.queries import query
from twin.plans.model import UnitState


class PlanError(ValueError):
    """A plan refused an action: the message names the plan, the units and why."""


class PlanNotFound(PlanError):
    """No plan of that name."""


class PlanConflict(PlanError):
    """The plan moved on: another edit, a state or the map in force got there first."""


@dataclass(frozen=True)
class Plan:
    """One plan: its scope (None: the whole city), base version, state and revision."""

    id: int
    name: str
    scope: str | None
    base_version: int
    state: str
    effective_date: date | None
    revision: int
    author: str
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Row:
    """A plan's row for one unit: the proposed state ('upsert' with unit) or 'remove'."""

    code: str
    op: str
    unit: UnitState | None
    base_digest: str | None


def _plan(row: dict[str, Any]) -> Plan:
    """A Plan from a plan_by_name row."""
    return Plan(
        id=row["id"],
        name=row["name"],
        scope=row["scope_code"],
        base_version=row["base_version"],
        state=row["state"],
        effective_date=row["effective_date"],
        revision=row["revision"],
        author=row["author"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def to_multi(geom: BaseGeometry) -> BaseGeometry:
    """A polygon as a one-part multipolygon (the grid's type); anything else unchanged."""
    return MultiPolygon([geom]) if isinstance(geom, Polygon) else geom


def unit_from_row(row: dict[str, Any]) -> UnitState:
    """A UnitState from a row with the unit columns and WKB geom."""
    return UnitState(
        code=row["code"],
        name=row["name"],
        level=row["level"],
        parent=row["parent_code"],
        geom=shapely.from_wkb(bytes(row["geom"])),
        officer=row["officer"],
        population=row["population"],
        households=row["households"],
    )


def unit_params(code: str, op: str | None, unit: UnitState | None) -> dict[str, Any]:
    """The unit columns of a plan row as query parameters."""
    return {
        "code": code,
        "op": op,
        "name": unit.name if unit else None,
        "level": unit.level if unit else None,
        "parent_code": unit.parent if unit else None,
        "officer": unit.officer if unit else None,
        "population": unit.population if unit else None,
        "households": unit.households if unit else None,
        "geom": shapely.to_wkb(to_multi(unit.geom)) if unit else None,
    }


def get_plan(conn: psycopg.Connection, name: str) -> Plan:
    """The named plan; PlanError when there is none."""
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(query("plan_by_name"), {"name": name}).fetchone()
    if row is None:
        raise PlanNotFound(f"no plan named {name!r} (see `twin plan list`)")
    return _plan(row)


def lock_plan(conn: psycopg.Connection, name: str) -> Plan:
    """The named plan, locked to this transaction so its writers take turns."""
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(query("plan_lock"), {"name": name}).fetchone()
    if row is None:
        raise PlanNotFound(f"no plan named {name!r} (see `twin plan list`)")
    return _plan(row)


def plan_rows(conn: psycopg.Connection, plan: Plan) -> dict[str, Row]:
    """The plan's rows by code."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(query("plan_units"), {"plan_id": plan.id}).fetchall()
    return {
        r["code"]: Row(
            r["code"], r["op"], unit_from_row(r) if r["op"] == "upsert" else None, r["base_digest"]
        )
        for r in rows
    }


def digests(conn: psycopg.Connection, codes: Iterable[str]) -> dict[str, str]:
    """The fingerprint of each named unit in force (codes not in force are absent)."""
    rows = conn.execute(query("plan_unit_digests"), {"codes": sorted(set(codes))}).fetchall()
    return {code: digest for code, digest in rows}


def same_unit(a: UnitState, b: UnitState) -> bool:
    """Whether two states of a unit are equal (outlines to 1e-12°)."""
    if (a.code, a.name, a.level, a.parent, a.officer, a.population, a.households) != (
        b.code,
        b.name,
        b.level,
        b.parent,
        b.officer,
        b.population,
        b.households,
    ):
        return False
    return bool(
        shapely.equals_exact(
            shapely.normalize(to_multi(a.geom)), shapely.normalize(to_multi(b.geom)), 1e-12
        )
    )
