-- The level depths that staged or removed units have, coarsest first.
-- params: removals text[]
-- columns: depth
SELECT depth FROM twin_publish_stage
UNION
SELECT l.depth FROM grid g JOIN grid_level l ON l.level = g.level
WHERE g.code = ANY(%(removals)s::text[])
ORDER BY 1;
