-- The cameras that could see a point: those within the longest camera range of it (a box in
-- degrees, wide enough at any latitude the city has, so the GiST index on geom is used); the
-- exact cone test is done in Python (twin/hotspots/cones.py).
-- params: lon float8, lat float8
-- columns: code, name, status, heading_deg, fov_deg, range_m, lon, lat
WITH reach AS (
    SELECT coalesce(max(range_m), 0) / (111320 * cos(radians(%(lat)s::float8))) AS deg
    FROM camera
)
SELECT c.code, c.name, c.status, c.heading_deg, c.fov_deg, c.range_m,
       ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat
FROM camera c, reach
WHERE c.geom && ST_Expand(ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326), reach.deg)
ORDER BY c.code;
