-- The city's outline for a hexagon mesh: the union of the units of the largest level loaded.
-- params: none
-- columns: geom (WKB, NULL when there are no units)
SELECT ST_AsBinary(ST_Union(g.geom)) AS geom
FROM grid g
WHERE g.level = (SELECT l.level FROM grid_level l
                 WHERE EXISTS (SELECT 1 FROM grid x WHERE x.level = l.level)
                 ORDER BY l.depth LIMIT 1);
