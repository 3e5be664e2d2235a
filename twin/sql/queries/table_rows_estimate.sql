-- A table's rows as the planner last counted them (-1 or 0 before any ANALYZE or VACUUM).
-- params: table text
-- columns: rows
SELECT c.reltuples::bigint AS rows FROM pg_class c WHERE c.oid = to_regclass(%(table)s);
