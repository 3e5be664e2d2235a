"""GCJ-02 conversion against the published reference points (eviltransform's test set)."""

from __future__ import annotations

import numpy as np
import pytest

from twin.ingest.gcj02 import gcj02_to_wgs84, wgs84_to_gcj02

# (WGS 84 lat, lon, GCJ-02 lat, lon): Shanghai, Shenzhen, Beijing.
REFERENCE = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
]
M_PER_DEG = 111_320.0


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), REFERENCE)
def test_wgs84_to_gcj02_matches_the_reference(
    wlat: float, wlon: float, glat: float, glon: float
) -> None:
    lon, lat = wgs84_to_gcj02(np.array([wlon]), np.array([wlat]))
    assert lon[0] == pytest.approx(glon, abs=1e-9) and lat[0] == pytest.approx(glat, abs=1e-9)


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), REFERENCE)
def test_gcj02_to_wgs84_recovers_the_reference_within_a_millimetre(
    wlat: float, wlon: float, glat: float, glon: float
) -> None:
    lon, lat = gcj02_to_wgs84(np.array([glon]), np.array([glat]))
    assert abs(lon[0] - wlon) * M_PER_DEG < 0.001 and abs(lat[0] - wlat) * M_PER_DEG < 0.001
    # and the offset it removes is the hundreds of metres web maps are known for
    assert 100 < np.hypot(glon - wlon, glat - wlat) * M_PER_DEG < 1000


def test_outside_china_nothing_moves() -> None:
    lon, lat = gcj02_to_wgs84(np.array([2.35]), np.array([48.85]))
    assert (lon[0], lat[0]) == (2.35, 48.85)


def test_a_point_converts_the_same_alone_or_among_others() -> None:
    """Neighbours' shared vertices must convert equal whichever chunk they come in."""
    rng = np.random.default_rng(1)
    lon, lat = rng.uniform(100, 125, 500), rng.uniform(20, 45, 500)
    together = gcj02_to_wgs84(lon, lat)
    for i in range(0, 500, 5):
        alone = gcj02_to_wgs84(lon[i : i + 1], lat[i : i + 1])
        assert (alone[0][0], alone[1][0]) == (together[0][i], together[1][i])
