-- The named units in force (codes not in force have no row).
-- params: codes text[]
-- columns: code, name, level, parent_code, officer, population, households, geom
SELECT g.code, g.name, g.level, p.code AS parent_code, g.officer, g.population, g.households,
       ST_AsBinary(g.geom) AS geom
FROM grid g LEFT JOIN grid p ON p.id = g.parent_id
WHERE g.code = ANY(%(codes)s)
ORDER BY g.code;
