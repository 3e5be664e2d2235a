-- A table's primary key and UNIQUE constraints that no foreign key refers to, with the
-- statement that builds each one's index again (the constraint then takes it back).
-- params: table text
-- columns: name, kind ('PRIMARY KEY' or 'UNIQUE'), index, definition (pg_get_indexdef)
SELECT k.conname::text AS name,
       CASE k.contype WHEN 'p' THEN 'PRIMARY KEY' ELSE 'UNIQUE' END AS kind,
       c.relname::text AS index,
       pg_get_indexdef(k.conindid) AS definition
FROM pg_constraint k
JOIN pg_class c ON c.oid = k.conindid
WHERE k.conrelid = to_regclass(%(table)s) AND k.contype IN ('p', 'u')
  AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = k.conindid)
ORDER BY k.conname;
