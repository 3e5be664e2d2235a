-- Counters that no writer can make drift: a TRUNCATE of a point layer zeroes its counts, and
-- the bulk loader's session switches (twin.bulk_assigned, twin.defer_stats) are honoured only
-- in a transaction the bulk loader marked, which an ordinary role cannot do.

-- The bulk loader writes its transaction id here (and removes it before commit). Nobody but
-- the owner of the schema may write it (no grants), so a marker cannot be forged; xid8 never
-- wraps, so a stale one can never match a later transaction.
CREATE TABLE twin_bulk_txn (xid xid8 PRIMARY KEY);
REVOKE ALL ON twin_bulk_txn FROM PUBLIC;

-- Whether the running transaction is twin's bulk loader. Security definer: the triggers
-- below ask it on behalf of writers who cannot read the table.
CREATE FUNCTION twin_bulk_trusted() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT EXISTS (SELECT 1 FROM twin_bulk_txn WHERE xid = pg_current_xact_id_if_assigned())
$$;

-- As 006's, but twin.defer_stats counts only for the bulk loader (which recounts at its end).
-- Security definer: a writer needs no rights on grid_stat, so cannot edit counts by hand.
CREATE OR REPLACE FUNCTION twin_stat_trigger() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    IF current_setting('twin.defer_stats', true) = 'on' AND twin_bulk_trusted() THEN
        RETURN NULL;
    END IF;
    EXECUTE twin_stat_sql(TG_TABLE_NAME, CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT 1 AS sign, * FROM new_rows'
        WHEN 'DELETE' THEN 'SELECT -1 AS sign, * FROM old_rows'
        ELSE 'SELECT 1 AS sign, * FROM new_rows UNION ALL SELECT -1, * FROM old_rows'
    END);
    RETURN NULL;
END $$;

-- TRUNCATE fires no row or delete trigger: zero the layer's columns everywhere.
CREATE FUNCTION twin_stat_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    EXECUTE (SELECT format('UPDATE grid_stat SET %s WHERE %s',
                           string_agg(format('%I = 0', name), ', ' ORDER BY name),
                           string_agg(format('%I <> 0', name), ' OR ' ORDER BY name))
             FROM twin_stat_column WHERE layer = TG_TABLE_NAME);
    RETURN NULL;
END $$;

-- The per-row assignment trigger skips rows while twin.bulk_assigned is on (a per-row check
-- of the marker would cost the bulk path what it saves). Once per statement, this catches a
-- writer who set it without being the bulk loader and assigns its rows as the trigger would
-- have; the stat triggers count that correction like any move.
CREATE FUNCTION twin_assign_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    IF current_setting('twin.bulk_assigned', true) IS DISTINCT FROM 'on'
       OR twin_bulk_trusted()
       OR NOT EXISTS (SELECT 1 FROM new_rows) THEN  -- (the correction below fires it again)
        RETURN NULL;
    END IF;
    EXECUTE format('UPDATE %I.%I p SET grid_id = twin_grid_at(p.geom) FROM new_rows n '
                   'WHERE p.id = n.id AND p.grid_id IS DISTINCT FROM twin_grid_at(p.geom)',
                   TG_TABLE_SCHEMA, TG_TABLE_NAME);
    RETURN NULL;
END $$;

-- Give a point table (built in, or created by a catalog layer's first load) its guards.
CREATE FUNCTION twin_guard_layer(table_name text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION twin_assign_guard()',
                   table_name || '_assign_guard_insert', table_name);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION twin_assign_guard()',
                   table_name || '_assign_guard_update', table_name);
END $$;

CREATE FUNCTION twin_guard_counts(layer_name text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I '
                   'FOR EACH STATEMENT EXECUTE FUNCTION twin_stat_truncate()',
                   layer_name || '_stat_truncate', layer_name);
END $$;

-- As 006's, plus the TRUNCATE trigger.
CREATE OR REPLACE FUNCTION twin_track_layer(layer_name text, total_column text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO twin_point_layer VALUES (layer_name);
    PERFORM twin_stat_add_column(layer_name, total_column, 'true');
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION twin_stat_trigger()',
                   layer_name || '_stat_insert', layer_name);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION twin_stat_trigger()',
                   layer_name || '_stat_delete', layer_name);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I '
                   'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION twin_stat_trigger()',
                   layer_name || '_stat_update', layer_name);
    PERFORM twin_guard_counts(layer_name);
END $$;

-- The existing layers: every table assigned by twin_assign_grid, every tracked layer.
SELECT twin_guard_layer(c.relname)
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE t.tgfoid = 'twin_assign_grid()'::regprocedure
ORDER BY c.relname;
SELECT twin_guard_counts(layer) FROM twin_point_layer ORDER BY layer;

-- Assignment runs as the owner too: a writer needs INSERT on its layer and nothing else.
ALTER FUNCTION twin_assign_grid() SECURITY DEFINER;

-- A security definer function must not resolve names through the caller's search path (nor
-- through pg_temp first, where a caller could shadow twin_bulk_txn with a table of its own):
-- twin's schema, then PostGIS's (the same one unless PostGIS was installed elsewhere).
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
    FOREACH fn IN ARRAY ARRAY['twin_bulk_trusted()', 'twin_stat_trigger()',
                              'twin_stat_truncate()', 'twin_assign_guard()',
                              'twin_assign_grid()'] LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = %s, pg_temp', fn, path);
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', fn);
    END LOOP;
END $$;
