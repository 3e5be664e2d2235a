"""The emerging and density benchmark rows run (tiny sizes) and time both sides."""

from twin.bench.emerging import emerging_rows


def test_emerging_rows_time_twin_and_the_naive_alternative() -> None:
    rows = emerging_rows(units=100, points=20_000, seed=1, repeat=1)
    assert [r.measure.split(",")[0] for r in rows] == ["emerging hotspots", "kernel density"]
    assert all(r.twin > 0 and r.naive > 0 for r in rows)
    assert "100 units × 13 weekly steps" in rows[0].measure
