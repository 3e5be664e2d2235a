-- The foreign keys a table's rows must satisfy, with the definition that adds each again.
-- params: table text
-- columns: name, definition (pg_get_constraintdef: FOREIGN KEY (...) REFERENCES ...)
SELECT k.conname::text AS name, pg_get_constraintdef(k.oid) AS definition
FROM pg_constraint k
WHERE k.conrelid = to_regclass(%(table)s) AND k.contype = 'f'
ORDER BY k.conname;
