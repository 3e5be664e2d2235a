-- The type of each named column of a table (the load's stage, pg_temp.twin_stage, or a layer's).
-- params: relation text, columns text[]
-- columns: name, type (format_type: text, smallint, timestamp with time zone, ...)
SELECT a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS type
FROM pg_attribute a
WHERE a.attrelid = %(relation)s::regclass
  AND a.attname = ANY(%(columns)s::text[]) AND NOT a.attisdropped;
