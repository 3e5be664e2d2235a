-- Whether the counting trigger's body is the one the count columns give now (migration 025
-- writes it from twin_stat_column; a column added behind twin_stat_add_column's back would
-- not be counted).
-- params: none
-- columns: current
SELECT p.prosrc = twin_stat_trigger_source() AS current
FROM pg_proc p WHERE p.oid = 'twin_stat_trigger()'::regprocedure;
