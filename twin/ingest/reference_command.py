"""The command line's side of `twin load` into a reference layer: connect, load, report."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from twin.activity import Clock
from twin.catalog import Layer
from twin.db.connect import connect
from twin.ingest.load import LoadRefused, abandon_when_client_dies
from twin.ingest.osm import is_osm
from twin.ingest.reference import ReferenceLoad, load_reference
from twin.ingest.summary import summarise


def run_load(url: str, layer: Layer, path: Path, how: ReferenceLoad, max_problems: int) -> int:
    """Load and print what was done (0), or every problem (1); bad options raise ValueError."""
    if how.osm and not is_osm(path):
        raise ValueError(f"--osm: {path} is not an OpenStreetMap extract (.osm, .osm.pbf)")
    how = replace(how, osm=how.osm or is_osm(path))
    with connect(url, autocommit=True) as conn:
        abandon_when_client_dies(conn)
        try:
            report = load_reference(conn, layer, path, how, Clock.current().now)
        except LoadRefused as refused:
            print(f"twin: {refused}", file=sys.stderr)
            for line in summarise(refused.problems, max_problems):
                print(f"  {line}", file=sys.stderr)
            return 1
    for repair in report.repairs:
        print(f"repaired: {repair}")
    for note in report.notes:
        print(f"note: {note}")
    print(
        f"{report.layer}: {report.inserted:,} features from {path} replace the layer's "
        f"{report.replaced or 0:,} in {report.seconds:.1f} s (a reference layer: drawn,"
        " never counted)"
    )
    return 0
