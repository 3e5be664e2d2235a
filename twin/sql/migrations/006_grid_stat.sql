-- Incremental per-grid status.
--
-- grid_stat holds, for every grid at every level (and grid_id 0 = unassigned points), how
-- many rows of each point layer it has, in total ('*','*') and by each counted key/value
-- (incident status, category, severity, ...). Statement-level triggers with transition tables
-- apply the net change of each statement, so reading the status of every grid costs
-- O(grids), never O(incidents). What each layer counts is data (twin_stat_spec), so a new
-- point layer is tracked by adding rows here and calling twin_track_layer().
CREATE TABLE twin_stat_spec (
    layer   text NOT NULL,
    key     text NOT NULL,
    expr    text NOT NULL,  -- SQL over the layer's row, cast to text; NULL = not counted
    PRIMARY KEY (layer, key)
);
INSERT INTO twin_stat_spec (layer, key, expr) VALUES
    ('camera', 'status', 'status'),
    ('sensor', 'status', 'status'),
    ('sensor', 'kind', 'kind'),
    ('sensor', 'alarm_kind', 'CASE WHEN status = ''alarm'' THEN kind END'),
    ('incident', 'status', 'status'),
    ('incident', 'category', 'category'),
    ('incident', 'severity', 'severity'),
    ('incident', 'open_severity',
     'CASE WHEN status IN (''reported'', ''dispatched'', ''in_progress'', ''escalated'') THEN severity END'),
    ('incident', 'open_category',
     'CASE WHEN status IN (''reported'', ''dispatched'', ''in_progress'', ''escalated'') THEN category END');

-- The point layers whose rows are assigned to grids and counted.
CREATE TABLE twin_point_layer (layer text PRIMARY KEY);

CREATE TABLE grid_stat (
    grid_id bigint NOT NULL,  -- 0 = points in no grid
    layer   text NOT NULL,
    key     text NOT NULL,
    value   text NOT NULL,
    n       bigint NOT NULL,
    PRIMARY KEY (grid_id, layer, key, value)
);

-- The (key, value) pairs of one layer's row, as a VALUES list over the alias r.
CREATE FUNCTION twin_stat_values(layer_name text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT string_agg(format('(%L, (%s)::text)', key, expr), ', ' ORDER BY key)
        || CASE WHEN count(*) > 0 THEN ', ' ELSE '' END || '(''*'', ''*'')'
    FROM twin_stat_spec WHERE layer = layer_name
$$;

-- The upsert adding the net counts of a set of signed rows to grid_stat, rolled up to every
-- ancestor. It returns SQL text because transition tables are visible only to the trigger
-- function's own statements, not to a function it calls.
CREATE FUNCTION twin_stat_sql(layer_name text, signed_rows text) RETURNS text
LANGUAGE sql STABLE AS $f$
    SELECT format($q$
        WITH delta AS (
            SELECT r.grid_id, kv.key, kv.value, sum(r.sign) AS n
            FROM (%s) r
            CROSS JOIN LATERAL (VALUES %s) AS kv(key, value)
            WHERE kv.value IS NOT NULL
            GROUP BY 1, 2, 3
        )
        INSERT INTO grid_stat AS s (grid_id, layer, key, value, n)
        SELECT coalesce(a.ancestor_id, 0), %L, d.key, d.value, sum(d.n)
        FROM delta d LEFT JOIN grid_ancestor a ON a.grid_id = d.grid_id
        GROUP BY 1, 3, 4
        HAVING sum(d.n) <> 0
        ORDER BY 1, 3, 4  -- one lock order for concurrent writers
        ON CONFLICT (grid_id, layer, key, value) DO UPDATE SET n = s.n + excluded.n
    $q$, signed_rows, twin_stat_values(layer_name), layer_name)
$f$;

CREATE FUNCTION twin_stat_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE twin_stat_sql(TG_TABLE_NAME, CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT 1 AS sign, * FROM new_rows'
        WHEN 'DELETE' THEN 'SELECT -1 AS sign, * FROM old_rows'
        ELSE 'SELECT 1 AS sign, * FROM new_rows UNION ALL SELECT -1, * FROM old_rows'
    END);
    RETURN NULL;
END $$;

-- Recount one layer from its rows (after a hierarchy change, or to repair).
CREATE FUNCTION twin_stat_rebuild(layer_name text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM grid_stat WHERE layer = layer_name;
    EXECUTE twin_stat_sql(layer_name, format('SELECT 1 AS sign, * FROM %I', layer_name));
END $$;

-- Track a point layer: three statement triggers (PostgreSQL allows one event per trigger
-- with transition tables, and no column list). An update that changes no counted value nets
-- to zero in twin_stat_sql and writes nothing.
CREATE FUNCTION twin_track_layer(layer_name text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
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
    INSERT INTO twin_point_layer VALUES (layer_name) ON CONFLICT DO NOTHING;
    PERFORM twin_stat_rebuild(layer_name);
END $$;

SELECT twin_track_layer('camera');
SELECT twin_track_layer('sensor');
SELECT twin_track_layer('incident');
-- Grid changes: rebuild the closure, move points whose grid changed, and recount when the
-- hierarchy itself changed (rare: a planner re-parenting grids).
CREATE FUNCTION twin_rebuild_grid_ancestor() RETURNS void LANGUAGE sql AS $$
    DELETE FROM grid_ancestor;
    INSERT INTO grid_ancestor (grid_id, ancestor_id, depth)
    WITH RECURSIVE up AS (
        SELECT id AS grid_id, id AS ancestor_id, parent_id, 0 AS depth FROM grid
        UNION ALL
        SELECT up.grid_id, g.id, g.parent_id, up.depth + 1
        FROM up JOIN grid g ON g.id = up.parent_id
    )
    SELECT grid_id, ancestor_id, depth FROM up;
$$;

-- Re-derive grid_id of the points of every tracked layer that lie in the given polygons.
-- Candidates are found polygon-driven (each polygon probes the layer's GiST index), then each
-- candidate takes the grid the assignment rule gives it; only rows whose grid changes are
-- written, so the stat triggers see just the moves.
CREATE FUNCTION twin_reassign_points(area geometry[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    layer_name text;
BEGIN
    FOR layer_name IN SELECT layer FROM twin_point_layer ORDER BY layer LOOP
        EXECUTE format($q$
            UPDATE %1$I p SET grid_id = twin_grid_at(p.geom)
            FROM (SELECT DISTINCT hit.id
                  FROM unnest($1) AS a(g)
                  CROSS JOIN LATERAL (SELECT q.id FROM %1$I q
                                      WHERE ST_Intersects(a.g, q.geom) OFFSET 0) hit) c
            WHERE p.id = c.id AND p.grid_id IS DISTINCT FROM twin_grid_at(p.geom)
        $q$, layer_name) USING area;
    END LOOP;
END $$;

CREATE FUNCTION twin_grid_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    moved geometry[];
    reparented boolean := false;
BEGIN
    PERFORM twin_rebuild_grid_ancestor();
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(geom) INTO moved FROM new_rows WHERE level = 'grid';
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(geom) INTO moved FROM old_rows WHERE level = 'grid';
        DELETE FROM grid_stat s WHERE s.grid_id IN (SELECT id FROM old_rows);
        reparented := true;  -- the deleted grids' ancestors must lose their counts too
    ELSE
        SELECT array_agg(g) INTO moved FROM (
            SELECT unnest(ARRAY[o.geom, n.geom]) AS g
            FROM old_rows o JOIN new_rows n USING (id)
            WHERE (o.level = 'grid' OR n.level = 'grid')
              AND (o.level <> n.level OR o.code <> n.code OR NOT ST_Equals(o.geom, n.geom))
        ) changed;
        reparented := EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n USING (id)
                              WHERE o.parent_id IS DISTINCT FROM n.parent_id
                                 OR o.level <> n.level);
    END IF;
    IF moved IS NOT NULL THEN
        PERFORM twin_reassign_points(moved);
    END IF;
    IF reparented THEN
        PERFORM twin_stat_rebuild(layer) FROM twin_point_layer;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER grid_changed_insert AFTER INSERT ON grid REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION twin_grid_changed();
CREATE TRIGGER grid_changed_delete AFTER DELETE ON grid REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION twin_grid_changed();
CREATE TRIGGER grid_changed_update AFTER UPDATE ON grid
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION twin_grid_changed();
