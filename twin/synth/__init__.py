"""A deterministic synthetic city for the demo, tests and benchmarks."""
