-- Write the staged units of one level depth that already exist (only those that differ).
-- params: depth smallint
-- columns: code
UPDATE grid g
SET name = s.name, level = s.level, parent_id = p.id, officer = s.officer,
    population = s.population, households = s.households, geom = s.geom
FROM twin_publish_stage s
LEFT JOIN grid p ON p.code = s.parent_code
WHERE g.code = s.code AND s.depth = %(depth)s
  AND ((g.name, g.level, g.parent_id, g.officer, g.population, g.households)
       IS DISTINCT FROM (s.name, s.level, p.id, s.officer, s.population, s.households)
       OR NOT ST_OrderingEquals(g.geom, s.geom))
RETURNING g.code;
