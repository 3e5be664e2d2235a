-- Open the given units' states as the grid table has them now, from a version on.
-- params: version int, codes text[]
-- columns: none
INSERT INTO grid_history (code, name, level, parent_code, officer, population, households,
                          geom, version_from)
SELECT g.code, g.name, g.level, p.code, g.officer, g.population, g.households, g.geom,
       %(version)s
FROM grid g LEFT JOIN grid p ON p.id = g.parent_id
WHERE g.code = ANY(%(codes)s::text[]);
