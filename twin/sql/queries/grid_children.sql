-- The direct children of a grid.
-- params: id bigint
-- columns: id, code, name, level
SELECT id, code, name, level FROM grid WHERE parent_id = %(id)s ORDER BY code;
