-- The columns of a table in the search path that have a default: its expression as
-- PostgreSQL prints it, and whether the column refuses NULL.
-- params: table text
-- columns: column_name, column_default, not_null
SELECT a.attname AS column_name, pg_get_expr(d.adbin, d.adrelid) AS column_default,
       a.attnotnull AS not_null
FROM pg_attribute a
JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = to_regclass(%(table)s) AND a.attnum > 0 AND NOT a.attisdropped
  AND a.attgenerated = ''
ORDER BY a.attnum;
