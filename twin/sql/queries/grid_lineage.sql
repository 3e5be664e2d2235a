-- A grid and its ancestors, district first (the breadcrumbs).
-- params: id bigint
-- columns: id, code, name, level
SELECT g.id, g.code, g.name, g.level
FROM grid_ancestor a JOIN grid g ON g.id = a.ancestor_id
WHERE a.grid_id = %(id)s
ORDER BY a.depth DESC;
