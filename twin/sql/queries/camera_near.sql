-- The cameras that could see into a box: those within the longest camera range of it (the box
-- grown by that range in degrees of longitude, the wider measure, so the GiST index on geom is
-- used); the exact cone test is done in Python (twin/hotspots/cones.py). A point is a box of
-- no size.
-- params: west float8, south float8, east float8, north float8
-- columns: code, name, status, heading_deg, fov_deg, range_m, lon, lat
WITH reach AS (
    SELECT coalesce(max(range_m), 0)
           / (111320 * cos(radians(greatest(abs(%(south)s::float8), abs(%(north)s::float8)))))
           AS deg
    FROM camera
)
SELECT c.code, c.name, c.status, c.heading_deg, c.fov_deg, c.range_m,
       ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat
FROM camera c, reach
WHERE c.geom && ST_Expand(ST_MakeEnvelope(%(west)s, %(south)s, %(east)s, %(north)s, 4326), reach.deg)
ORDER BY c.code;
