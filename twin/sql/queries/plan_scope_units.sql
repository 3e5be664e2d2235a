-- The units in force in a scope: the whole city (scope NULL), or one unit and its subtree.
-- params: scope text, level text (NULL: every level)
-- columns: code, name, level, parent_code, officer, population, households, geom
WITH RECURSIVE sub AS (
    SELECT id FROM grid WHERE code = %(scope)s
    UNION ALL
    SELECT g.id FROM grid g JOIN sub s ON g.parent_id = s.id
)
SELECT g.code, g.name, g.level, p.code AS parent_code, g.officer, g.population, g.households,
       ST_AsBinary(g.geom) AS geom
FROM grid g LEFT JOIN grid p ON p.id = g.parent_id
WHERE (%(scope)s::text IS NULL OR g.id IN (SELECT id FROM sub))
  AND (%(level)s::text IS NULL OR g.level = %(level)s)
ORDER BY g.code;
