-- What would break the hierarchy if the staged units were written and the removed codes
-- deleted: a parent that will not exist, a unit whose parent is removed, an unknown level.
-- params: removals text[]
-- columns: code, reason
SELECT s.code, 'its parent ' || s.parent_code || ' is neither in the map nor in the change'
FROM twin_publish_stage s
WHERE s.parent_code IS NOT NULL
  AND (s.parent_code = ANY(%(removals)s::text[])
       OR (NOT EXISTS (SELECT 1 FROM grid g WHERE g.code = s.parent_code)
           AND NOT EXISTS (SELECT 1 FROM twin_publish_stage t WHERE t.code = s.parent_code)))
UNION ALL
SELECT s.code, 'level ' || s.level || ' is not a level of the hierarchy'
FROM twin_publish_stage s
WHERE NOT EXISTS (SELECT 1 FROM grid_level l WHERE l.level = s.level)
UNION ALL
SELECT c.code, 'its parent ' || p.code || ' is removed and it is not re-parented'
FROM grid c JOIN grid p ON p.id = c.parent_id
WHERE p.code = ANY(%(removals)s::text[])
  AND NOT c.code = ANY(%(removals)s::text[])
  AND NOT EXISTS (SELECT 1 FROM twin_publish_stage s WHERE s.code = c.code)
UNION ALL
SELECT r.code, 'it is removed but no such unit exists'
FROM unnest(%(removals)s::text[]) AS r(code)
WHERE NOT EXISTS (SELECT 1 FROM grid g WHERE g.code = r.code)
ORDER BY 1, 2;
