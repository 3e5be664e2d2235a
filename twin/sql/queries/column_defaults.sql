-- The columns of a table in the search path that have a default, and its expression.
-- params: table text
-- columns: column_name, column_default
SELECT a.attname AS column_name, pg_get_expr(d.adbin, d.adrelid) AS column_default
FROM pg_attribute a
JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = to_regclass(%(table)s) AND a.attnum > 0 AND NOT a.attisdropped
  AND a.attgenerated = '';
