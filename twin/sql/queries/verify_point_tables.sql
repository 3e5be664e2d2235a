-- The point tables whose rows are assigned a unit when written (twin_assign_grid's triggers).
-- params: none
-- columns: layer (the table name)
SELECT c.relname::text AS layer
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
WHERE t.tgfoid = 'twin_assign_grid()'::regprocedure
  AND pg_table_is_visible(c.oid)
ORDER BY 1;
