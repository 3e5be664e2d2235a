-- Remove units of one level depth.
-- params: codes text[], depth smallint
-- columns: code
DELETE FROM grid g USING grid_level l
WHERE l.level = g.level AND l.depth = %(depth)s AND g.code = ANY(%(codes)s::text[])
RETURNING g.code;
