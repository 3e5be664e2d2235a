"""Live operations: cases through their lifecycle, devices reporting, listings."""
