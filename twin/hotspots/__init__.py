"""Hotspot analysis: density, Getis-Ord Gi*, emerging hotspots and camera coverage."""
