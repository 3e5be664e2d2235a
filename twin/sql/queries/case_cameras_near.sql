-- The cameras within a radius of a case's point, nearest first (the box test uses the GiST
-- index on geom; the distance is measured on the spheroid).
-- params: lon float8, lat float8, radius_m float8, limit int
-- columns: code, name, status, last_seen, lon, lat, distance_m
WITH p AS (SELECT ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326) AS geom)
SELECT c.code, c.name, c.status, c.last_seen, ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat,
       ST_Distance(c.geom::geography, p.geom::geography) AS distance_m
FROM camera c, p
WHERE c.geom && ST_Expand(p.geom, %(radius_m)s / (111320 * cos(radians(least(abs(%(lat)s), 89.0)))))
  AND ST_DWithin(c.geom::geography, p.geom::geography, %(radius_m)s)
ORDER BY distance_m, c.code
LIMIT %(limit)s::int;
