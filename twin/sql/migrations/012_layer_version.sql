-- A change counter per point table, so caches of analyses over its points (hotspots) know
-- when to recompute: every statement that writes the table bumps its counter in the same
-- transaction, so a reader that reads the counter before the points never pairs a new counter
-- with old points. One row per table: writers of one layer queue on it only until commit.
CREATE TABLE twin_layer_version (
    layer   text PRIMARY KEY,
    version bigint NOT NULL DEFAULT 0
);

CREATE FUNCTION twin_bump_layer_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO twin_layer_version AS v (layer, version) VALUES (TG_TABLE_NAME, 1)
    ON CONFLICT (layer) DO UPDATE SET version = v.version + 1;
    RETURN NULL;
END $$;

CREATE FUNCTION twin_version_layer(table_name text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I '
                   'FOR EACH STATEMENT EXECUTE FUNCTION twin_bump_layer_version()',
                   table_name || '_version', table_name);
    INSERT INTO twin_layer_version (layer) VALUES (table_name) ON CONFLICT DO NOTHING;
END $$;

-- As 011's, plus the change counter: every point table a catalog layer creates gets one.
CREATE OR REPLACE FUNCTION twin_guard_layer(table_name text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION twin_assign_guard()',
                   table_name || '_assign_guard_insert', table_name);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION twin_assign_guard()',
                   table_name || '_assign_guard_update', table_name);
    PERFORM twin_version_layer(table_name);
END $$;

-- The existing point tables: every table assigned by twin_assign_grid.
SELECT twin_version_layer(c.relname)
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE t.tgfoid = 'twin_assign_grid()'::regprocedure
ORDER BY c.relname;

-- A writer needs INSERT on its layer and nothing else (as for 011's guards): the counter is
-- bumped as the owner, resolving names only in twin's schema.
ALTER FUNCTION twin_bump_layer_version() SECURITY DEFINER;
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION twin_bump_layer_version() SET search_path = %I, pg_temp',
                   current_schema());
    REVOKE ALL ON FUNCTION twin_bump_layer_version() FROM PUBLIC;
END $$;
