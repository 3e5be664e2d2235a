"""One settings object read from TWIN_* environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from twin.ops.config import SHIPPED_OPS
from twin.package_data import data_dir

SHIPPED_LAYERS = data_dir("layers")  # the catalog installed with twin (or the checkout's)


class SettingsError(ValueError):
    """A TWIN_* variable holds a value twin cannot use."""


@dataclass(frozen=True)
class Settings:
    """Every setting twin reads; the README documents each (a test checks it)."""

    database_url: str = ""  # TWIN_DATABASE_URL: an existing PostGIS; empty = embedded cluster
    pgdata: Path = Path(".twin/pg")  # TWIN_PGDATA: data directory of the embedded cluster
    # TWIN_CACHE_DIR: where bulk assignment keeps the unit index it built, for later processes
    cache_dir: Path = Path(".twin/cache")
    # TWIN_LAYERS_DIR: the layer catalog, one TOML file per layer
    layers_dir: Path = SHIPPED_LAYERS
    # TWIN_LOAD_READERS: processes reading a large CSV load (1 or 2: 2 takes a second core and
    # about 350 MB more, and is used only where 2 GiB are available)
    load_readers: int = 2
    pool_max: int = 8  # TWIN_POOL_MAX: most connections the app's pool opens
    # TWIN_STATEMENT_TIMEOUT_MS: longest one statement of the dashboard may run; 0 = no limit
    statement_timeout_ms: int = 15_000
    host: str = "127.0.0.1"  # TWIN_HOST: address `twin serve` listens on
    port: int = 8050  # TWIN_PORT: port `twin serve` listens on
    lang: str = "zh-CN"  # TWIN_LANG: UI language, zh-CN or en
    refresh_seconds: int = 30  # TWIN_REFRESH_SECONDS: how often open maps refresh grid status
    status_red_overdue: int = 3  # TWIN_STATUS_RED_OVERDUE: overdue cases that make a grid red
    status_red_alarms: int = 3  # TWIN_STATUS_RED_ALARMS: sensors in alarm that make it red
    status_yellow_open: int = 10  # TWIN_STATUS_YELLOW_OPEN: open cases that make it yellow
    status_yellow_camera_online: float = 0.9  # TWIN_STATUS_YELLOW_CAMERA_ONLINE: below = yellow
    # TWIN_BASEMAP_URL: an XYZ tile URL on the intranet ({z}/{x}/{y}); empty = no basemap
    basemap_url: str = ""
    tour_seconds: int = 12  # TWIN_TOUR_SECONDS: how long the big screen's tour shows each grid
    takeover_seconds: int = 20  # TWIN_TAKEOVER_SECONDS: how long a new severity-1 case fills it
    timezone: str = "Asia/Shanghai"  # TWIN_TIMEZONE: the zone of "today" and of shown times
    # TWIN_OPS_DIR: deadlines.toml, dispatch.toml, duplicates.toml of live operations
    ops_dir: Path = SHIPPED_OPS
    sweep_seconds: int = 60  # TWIN_SWEEP_SECONDS: how often `twin serve` escalates; 0 = never
    # TWIN_CASE_CAMERA_RADIUS_M: how far from a case its page looks for cameras, in metres
    case_camera_radius_m: float = 300.0
    # TWIN_SNAP_REFERENCE_M: how near (metres) a road's or river's centre line a drawn grid
    # boundary must come to follow it; 0 = never
    snap_reference_m: float = 5.0
    # TWIN_WALL_REFERENCE: 1 = the wall draws the reference layers (dimmed); 0 = off
    wall_reference: bool = False

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Read the settings from the environment, with a clear error for a bad value."""
        env = dict(os.environ if env is None else env)
        values: dict[str, object] = {}
        for f in fields(cls):
            name = env_name(f.name)
            if name not in env:
                continue
            raw = env[name]
            kind = type(getattr(cls, f.name))
            if kind is bool:
                values[f.name] = _flag(name, raw)
                continue
            try:
                values[f.name] = kind(raw) if kind is not Path else Path(raw)
            except ValueError as exc:
                raise SettingsError(f"{name}={raw!r} is not a valid {kind.__name__}") from exc
        settings = cls(**values)  # type: ignore[arg-type]
        if settings.lang not in ("zh-CN", "en"):
            raise SettingsError(f"TWIN_LANG={settings.lang!r}: choose zh-CN or en")
        if settings.statement_timeout_ms < 0:
            raise SettingsError("TWIN_STATEMENT_TIMEOUT_MS must be 0 (no limit) or more")
        if settings.load_readers not in (1, 2):
            raise SettingsError("TWIN_LOAD_READERS must be 1 or 2")
        if settings.sweep_seconds < 0:
            raise SettingsError("TWIN_SWEEP_SECONDS must be 0 (no sweep) or more")
        if not 0 < settings.case_camera_radius_m <= 10_000:  # (NaN fails too)
            raise SettingsError("TWIN_CASE_CAMERA_RADIUS_M must be more than 0 and at most 10000")
        if not 0 <= settings.snap_reference_m <= 100:  # (NaN fails too)
            raise SettingsError("TWIN_SNAP_REFERENCE_M must be from 0 (never snap) to 100")
        if settings.refresh_seconds < 1 or settings.tour_seconds < 1:
            raise SettingsError("TWIN_REFRESH_SECONDS and TWIN_TOUR_SECONDS must be at least 1")
        if settings.basemap_url and not all(f"{{{k}}}" in settings.basemap_url for k in "xyz"):
            raise SettingsError(
                f"TWIN_BASEMAP_URL={settings.basemap_url!r}: needs {{z}}, {{x}}, {{y}}"
            )
        try:
            ZoneInfo(settings.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SettingsError(f"TWIN_TIMEZONE={settings.timezone!r}: not a known zone") from exc
        return settings


def _flag(name: str, raw: str) -> bool:
    """A yes/no setting: 1/true/yes or 0/false/no (or empty)."""
    word = raw.strip().lower()
    if word in ("1", "true", "yes", "on"):
        return True
    if word in ("", "0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}={raw!r}: give 1 (yes) or 0 (no)")


def env_name(field_name: str) -> str:
    """The environment variable behind a settings field."""
    return "TWIN_" + field_name.upper()


def setting_names() -> list[str]:
    """Every TWIN_* variable twin reads."""
    return [env_name(f.name) for f in fields(Settings)]
