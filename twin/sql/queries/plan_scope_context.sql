-- The units in force above a plan's scope (its parent chain), coarsest first: validation
-- needs the scope's parent to check it lies inside, but not the parent's other children.
-- params: scope text
-- columns: code, name, level, parent_code, officer, population, households, geom
SELECT g.code, g.name, g.level, p.code AS parent_code, g.officer, g.population, g.households,
       ST_AsBinary(g.geom) AS geom
FROM grid s
JOIN grid_ancestor a ON a.grid_id = s.id AND a.ancestor_id <> s.id
JOIN grid g ON g.id = a.ancestor_id
LEFT JOIN grid p ON p.id = g.parent_id
WHERE s.code = %(scope)s
ORDER BY a.depth DESC;
