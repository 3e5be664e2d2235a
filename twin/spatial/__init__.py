"""Spatial logic: grid status and (later) hotspots, coverage and topology."""
