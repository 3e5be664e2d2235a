"""twin's HTTP API: JSON under /api/, one blueprint module per resource (see registry)."""
