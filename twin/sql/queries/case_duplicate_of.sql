-- The open case a new report most likely repeats: same category, within radius metres and
-- hours of it (either side), nearest first, then the earliest.
-- params: category text, lon, lat float, radius_m float, at timestamptz, hours float,
--         open text[] (the open statuses)
-- columns: code, distance_m
SELECT i.code, ST_Distance(i.geom::geography, p.g::geography) AS distance_m
FROM (SELECT ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326) AS g) p
JOIN incident i
  ON ST_DWithin(i.geom::geography, p.g::geography, %(radius_m)s)
 -- a box in degrees first, so the geometry GiST index finds the candidates: a degree of
 -- latitude is at least 110 km, one of longitude that times the cosine of the latitude
 AND i.geom && ST_Expand(p.g, %(radius_m)s / (110000.0 * greatest(cos(radians(%(lat)s)), 0.01)))
WHERE i.category = %(category)s
  AND i.status = ANY(%(open)s::text[])
  AND i.reported_at BETWEEN %(at)s::timestamptz - make_interval(secs => %(hours)s * 3600)
                        AND %(at)s::timestamptz + make_interval(secs => %(hours)s * 3600)
ORDER BY distance_m, i.reported_at, i.code
LIMIT 1;
