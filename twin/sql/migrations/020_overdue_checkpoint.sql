-- Overdue read in O(units): grid_stat keeps, per unit, the open cases due before a moving
-- checkpoint (column open_due_before_checkpoint, kept by the statement triggers like every
-- count), so a read at any moment adds or subtracts only the open cases whose due time lies
-- between the checkpoint and that moment. Before, every read walked one index entry per
-- overdue case (a metro holds millions). The checkpoint only moves forward, by
-- twin_advance_overdue_checkpoint (the sweep calls it), which folds the cases come due since
-- into the counts; with no advance at all the reads stay exact, only slower.
CREATE TABLE twin_overdue_checkpoint (
    layer text PRIMARY KEY REFERENCES twin_point_layer (layer),
    at    timestamptz NOT NULL
);
REVOKE ALL ON twin_overdue_checkpoint FROM PUBLIC;
GRANT SELECT ON twin_overdue_checkpoint TO PUBLIC;  -- the predicate below reads it
-- From the start of time: the advance at the end counts the cases already stored.
INSERT INTO twin_overdue_checkpoint VALUES ('incident', '-infinity');

-- A writer counting rows against the checkpoint holds it (a share lock until it commits), so
-- the checkpoint cannot move between the rows it counted and its commit; the advance takes
-- the lock exclusively or skips. The lock is taken by the statements that count, not per row.
CREATE FUNCTION twin_stat_lock(layer_name text) RETURNS void
LANGUAGE sql SECURITY DEFINER AS $$
    SELECT 1 FROM twin_overdue_checkpoint WHERE layer = layer_name FOR SHARE;
$$;

-- Counted like any column; the checkpoint is read once per statement (an InitPlan).
SELECT twin_stat_add_column('incident', 'open_due_before_checkpoint',
    $$status IN ('reported', 'dispatched', 'in_progress', 'escalated')
      AND due_at < (SELECT c.at FROM twin_overdue_checkpoint c WHERE c.layer = 'incident')$$);

-- As 011's, taking the checkpoint's lock before counting.
CREATE OR REPLACE FUNCTION twin_stat_trigger() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    IF current_setting('twin.defer_stats', true) = 'on' AND twin_bulk_trusted() THEN
        RETURN NULL;
    END IF;
    PERFORM twin_stat_lock(TG_TABLE_NAME);
    EXECUTE twin_stat_sql(TG_TABLE_NAME, CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT 1 AS sign, * FROM new_rows'
        WHEN 'DELETE' THEN 'SELECT -1 AS sign, * FROM old_rows'
        ELSE 'SELECT 1 AS sign, * FROM new_rows UNION ALL SELECT -1, * FROM old_rows'
    END);
    RETURN NULL;
END $$;

-- As 006's, taking the checkpoint's lock before counting.
CREATE OR REPLACE FUNCTION twin_stat_rebuild(layer_name text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM twin_stat_lock(layer_name);
    EXECUTE (SELECT format('UPDATE grid_stat SET %s',
                           string_agg(format('%I = 0', name), ', ' ORDER BY name))
             FROM twin_stat_column WHERE layer = layer_name);
    EXECUTE twin_stat_sql(layer_name, format('SELECT 1 AS sign, * FROM %I', layer_name));
END $$;

-- As 013's, taking the checkpoint's lock before counting.
CREATE OR REPLACE FUNCTION twin_stat_move_rows(ids bigint[], sign int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    layer_name text;
BEGIN
    FOR layer_name IN SELECT layer FROM twin_point_layer ORDER BY layer LOOP
        PERFORM twin_stat_lock(layer_name);
        EXECUTE twin_stat_sql(layer_name, format(
            'SELECT %s AS sign, * FROM %I WHERE grid_id = ANY(%L::bigint[])',
            sign, layer_name, ids));
    END LOOP;
END $$;

-- As 011's, taking the checkpoint's lock before zeroing (else an advance waiting on the zeroed
-- rows and a reload's recount waiting on the checkpoint would deadlock).
CREATE OR REPLACE FUNCTION twin_stat_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    PERFORM twin_stat_lock(TG_TABLE_NAME);
    EXECUTE (SELECT format('UPDATE grid_stat SET %s WHERE %s',
                           string_agg(format('%I = 0', name), ', ' ORDER BY name),
                           string_agg(format('%I <> 0', name), ' OR ' ORDER BY name))
             FROM twin_stat_column WHERE layer = TG_TABLE_NAME);
    RETURN NULL;
END $$;

-- Move the cases' checkpoint forward to a moment, folding the open cases come due in between
-- into each unit's count (rolled up like every count; no unit: row 0). False when it did not
-- move: not forward, or a writer holds the checkpoint (the next call tries again). Read
-- committed only: the count must see every writer that committed before the lock was taken.
CREATE FUNCTION twin_advance_overdue_checkpoint(target timestamptz) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    old timestamptz;
    prior text := current_setting('lock_timeout');
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'the overdue checkpoint advances in a read committed transaction only';
    END IF;
    SELECT c.at INTO old FROM twin_overdue_checkpoint c WHERE c.layer = 'incident'
    FOR UPDATE SKIP LOCKED;
    IF old IS NULL OR target <= old THEN
        RETURN false;
    END IF;
    -- A unit's row held by a writer that took no checkpoint lock (a grid edit): give way
    -- before the deadlock detector (1 s) might pick that writer instead.
    PERFORM set_config('lock_timeout', '200ms', true);
    UPDATE grid_stat s SET open_due_before_checkpoint = s.open_due_before_checkpoint + d.n
    FROM (SELECT coalesce(a.ancestor_id, 0) AS grid_id, sum(f.n) AS n
          FROM (SELECT i.grid_id, count(*) AS n FROM incident i
                WHERE i.status IN ('reported', 'dispatched', 'in_progress', 'escalated')
                  AND i.due_at >= old AND i.due_at < target
                GROUP BY i.grid_id) f
          LEFT JOIN grid_ancestor a ON a.grid_id = f.grid_id
          GROUP BY 1) d
    WHERE s.grid_id = d.grid_id;
    UPDATE twin_overdue_checkpoint SET at = target WHERE layer = 'incident';
    PERFORM set_config('lock_timeout', prior, true);
    RETURN true;
EXCEPTION WHEN lock_not_available THEN
    RETURN false;  -- nothing moved (the block's work and setting are undone); try next time
END $$;

DO $$
DECLARE
    fn text;
    postgis text := (SELECT n.nspname FROM pg_extension e
                     JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'postgis');
    path text := quote_ident(current_schema());
BEGIN
    IF postgis IS DISTINCT FROM current_schema() THEN
        path := path || ', ' || quote_ident(postgis);
    END IF;
    FOREACH fn IN ARRAY ARRAY['twin_stat_lock(text)', 'twin_stat_trigger()',
                              'twin_stat_truncate()',
                              'twin_advance_overdue_checkpoint(timestamptz)'] LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = %s, pg_temp', fn, path);
    END LOOP;
    -- Anyone may advance (it keeps every count exact); the lock is for the counting owner.
    REVOKE ALL ON FUNCTION twin_stat_lock(text), twin_stat_trigger(), twin_stat_truncate()
        FROM PUBLIC;
END $$;

SELECT twin_advance_overdue_checkpoint(now());
