-- Units of any level whose code or name contains the text, best matches first.
-- params: text text, limit int
-- columns: code, name, level
SELECT g.code, g.name, g.level
FROM grid g JOIN grid_level l ON l.level = g.level
WHERE g.code ILIKE '%%' || %(text)s::text || '%%' OR g.name ILIKE '%%' || %(text)s::text || '%%'
ORDER BY g.code ILIKE %(text)s::text || '%%' DESC, l.depth, g.code
LIMIT %(limit)s::int;
