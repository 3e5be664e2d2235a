-- The indexes of a table that no constraint owns (not the primary key, not a UNIQUE such as
-- code's, which upsert by code needs), with the statement that rebuilds each.
-- params: table text
-- columns: schema, name, definition (pg_get_indexdef: CREATE INDEX ... ON ... USING ...)
SELECT n.nspname::text AS schema, c.relname::text AS name,
       pg_get_indexdef(i.indexrelid) AS definition
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE i.indrelid = to_regclass(%(table)s)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
ORDER BY i.indexrelid;
