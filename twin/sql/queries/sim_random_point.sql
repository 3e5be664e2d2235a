-- A random point inside a random finest-level grid (r in [0, 1) picks both).
-- params: r float
-- columns: lon, lat
WITH n AS (SELECT count(*) AS c FROM grid WHERE level = 'grid')
SELECT ST_X(d.geom) AS lon, ST_Y(d.geom) AS lat
FROM (SELECT g.geom FROM grid g WHERE g.level = 'grid' ORDER BY g.id
      OFFSET (SELECT floor(%(r)s * c)::int FROM n) LIMIT 1) g
CROSS JOIN LATERAL ST_Dump(ST_GeneratePoints(g.geom, 1, 1 + floor(%(r)s * 2147483646)::int)) d;
