-- Add the staged units of one level depth that do not exist yet.
-- params: depth smallint
-- columns: code
INSERT INTO grid (code, name, level, parent_id, officer, population, households, geom)
SELECT s.code, s.name, s.level, p.id, s.officer, s.population, s.households, s.geom
FROM twin_publish_stage s
LEFT JOIN grid p ON p.code = s.parent_code
WHERE s.depth = %(depth)s AND NOT EXISTS (SELECT 1 FROM grid g WHERE g.code = s.code)
ORDER BY s.code
RETURNING code;
