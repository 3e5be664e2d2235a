-- The type of each named column of the load's stage (the session's temporary twin_stage).
-- params: columns text[]
-- columns: name, type (format_type: text, smallint, timestamp with time zone, ...)
SELECT a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS type
FROM pg_attribute a
WHERE a.attrelid = 'pg_temp.twin_stage'::regclass
  AND a.attname = ANY(%(columns)s::text[]) AND NOT a.attisdropped;
