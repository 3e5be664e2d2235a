-- PostGIS for geometry, GiST indexes and geography (metre) measures.
CREATE EXTENSION IF NOT EXISTS postgis;
