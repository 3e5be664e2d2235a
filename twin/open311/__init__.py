"""Open311 GeoReport v2 over twin's cases: the civic-reporting standard existing apps speak."""
