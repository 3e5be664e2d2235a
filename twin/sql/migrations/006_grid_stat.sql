-- Incremental per-grid status.
--
-- grid_stat holds one row per grid at every level (grid_id 0 = points in no grid) with one
-- count column per entry of twin_stat_column: how many rows of a point layer it holds that
-- satisfy the column's predicate (incidents, open,
-- incident_status_reported, camera_status_offline, ...). Columns a layer file's [rollup]
-- defines are named <layer>_<field>_<value>; a few conditional ones (open, open_severity_1,
-- open_category_*, alarm_kind_*) are defined here.
-- Statement-level triggers with transition tables add each statement's net change, rolled
-- up through grid_ancestor, so reading every grid's status is one row per grid: O(grids),
-- never O(incidents). A new point layer is tracked with twin_track_layer() and columns added
-- with twin_stat_add_column(); no code changes.
CREATE TABLE twin_point_layer (layer text PRIMARY KEY);

CREATE TABLE twin_stat_column (
    name        text PRIMARY KEY,   -- the grid_stat column, also the KPI's name in the API
    layer       text NOT NULL REFERENCES twin_point_layer (layer),
    predicate   text NOT NULL       -- SQL over one row of the layer: which rows it counts
);

-- Every grid has a row (added with the grid), so counts read as 0, never NULL.
-- fillfactor leaves room on each page so the constant small updates stay HOT (no index
-- touch, pruned in place) instead of bloating the table.
CREATE TABLE grid_stat (grid_id bigint PRIMARY KEY) WITH (fillfactor = 50);
INSERT INTO grid_stat (grid_id) VALUES (0);

CREATE FUNCTION twin_stat_add_column(layer_name text, column_name text, predicate text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO twin_stat_column (name, layer, predicate)
    VALUES (column_name, layer_name, predicate);
    EXECUTE format('ALTER TABLE grid_stat ADD COLUMN %I bigint NOT NULL DEFAULT 0', column_name);
END $$;

-- The upsert adding the net counts of a set of signed rows (sign +1/-1, then the layer's
-- columns) to grid_stat, rolled up to every ancestor. It returns SQL text because transition
-- tables are visible only to the trigger function's own statements, not to functions it calls.
CREATE FUNCTION twin_stat_sql(layer_name text, signed_rows text) RETURNS text
LANGUAGE sql STABLE AS $f$
    SELECT format($q$
        INSERT INTO grid_stat AS s (grid_id, %1$s)
        SELECT coalesce(a.ancestor_id, 0), %2$s
        FROM (SELECT r.grid_id, %3$s FROM (%4$s) r GROUP BY r.grid_id) d
        LEFT JOIN grid_ancestor a ON a.grid_id = d.grid_id
        GROUP BY 1
        HAVING %5$s
        ORDER BY 1  -- one lock order for concurrent writers
        ON CONFLICT (grid_id) DO UPDATE SET %6$s
    $q$,
        string_agg(format('%I', name), ', ' ORDER BY name),
        string_agg(format('sum(d.%I)', name), ', ' ORDER BY name),
        string_agg(format('coalesce(sum(r.sign) FILTER (WHERE %s), 0) AS %I', predicate, name),
                   ', ' ORDER BY name),
        signed_rows,
        string_agg(format('sum(d.%I) <> 0', name), ' OR ' ORDER BY name),
        string_agg(format('%1$I = s.%1$I + excluded.%1$I', name), ', ' ORDER BY name))
    FROM twin_stat_column WHERE layer = layer_name
$f$;

-- A bulk load that recounts at its end sets twin.defer_stats for its transaction: counting
-- each chunk would rewrite every grid_stat row per chunk, dead versions that cannot be
-- pruned before the load commits.
CREATE FUNCTION twin_stat_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('twin.defer_stats', true) = 'on' THEN
        RETURN NULL;
    END IF;
    EXECUTE twin_stat_sql(TG_TABLE_NAME, CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT 1 AS sign, * FROM new_rows'
        WHEN 'DELETE' THEN 'SELECT -1 AS sign, * FROM old_rows'
        ELSE 'SELECT 1 AS sign, * FROM new_rows UNION ALL SELECT -1, * FROM old_rows'
    END);
    RETURN NULL;
END $$;

-- Recount one layer from its rows (after a hierarchy change or a new column, or to repair).
CREATE FUNCTION twin_stat_rebuild(layer_name text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE (SELECT format('UPDATE grid_stat SET %s',
                           string_agg(format('%I = 0', name), ', ' ORDER BY name))
             FROM twin_stat_column WHERE layer = layer_name);
    EXECUTE twin_stat_sql(layer_name, format('SELECT 1 AS sign, * FROM %I', layer_name));
END $$;

-- Track a point layer: three statement triggers (PostgreSQL allows one event per trigger
-- with transition tables, and no column list). An update that changes no counted value nets
-- to zero and writes nothing. A layer always has a total column named after it ("cameras").
CREATE FUNCTION twin_track_layer(layer_name text, total_column text) RETURNS void
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
END $$;

SELECT twin_track_layer('camera', 'cameras');
SELECT twin_stat_add_column('camera', 'camera_status_' || s, format('status = %L', s))
FROM unnest(ARRAY['online', 'offline', 'fault']) s;

SELECT twin_track_layer('sensor', 'sensors');
SELECT twin_stat_add_column('sensor', 'sensor_status_' || s, format('status = %L', s))
FROM unnest(ARRAY['normal', 'alarm', 'offline']) s;
SELECT twin_stat_add_column('sensor', 'sensor_kind_' || k, format('kind = %L', k))
FROM unnest(ARRAY['smoke', 'water_immersion', 'hydrant_pressure', 'gas', 'environment',
                  'manhole', 'door_access']) k;
SELECT twin_stat_add_column('sensor', 'alarm_kind_' || k, format('status = ''alarm'' AND kind = %L', k))
FROM unnest(ARRAY['smoke', 'water_immersion', 'hydrant_pressure', 'gas', 'environment',
                  'manhole', 'door_access']) k;

SELECT twin_track_layer('incident', 'incidents');
SELECT twin_stat_add_column('incident', 'open',
    $$status IN ('reported', 'dispatched', 'in_progress', 'escalated')$$);
SELECT twin_stat_add_column('incident', 'incident_status_' || s, format('status = %L', s))
FROM unnest(ARRAY['reported', 'dispatched', 'in_progress', 'escalated', 'resolved', 'closed']) s;
SELECT twin_stat_add_column('incident', 'incident_category_' || c, format('category = %L', c)),
       twin_stat_add_column('incident', 'open_category_' || c, format(
           $$category = %L AND status IN ('reported', 'dispatched', 'in_progress', 'escalated')$$, c))
FROM unnest(ARRAY['public_security', 'fire_hazard', 'sanitation', 'dispute', 'safety_hazard',
                  'city_management', 'other']) c;
SELECT twin_stat_add_column('incident', 'incident_severity_' || v, format('severity = %s', v)),
       twin_stat_add_column('incident', 'open_severity_' || v, format(
           $$severity = %s AND status IN ('reported', 'dispatched', 'in_progress', 'escalated')$$, v))
FROM generate_series(1, 4) v;

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
    -- The closure is kept in place: extended for new grids, trimmed for deleted ones (so a
    -- planner's single edits stay cheap; rebuilding it per statement made 500 one-row inserts
    -- in a transaction quadratic), rebuilt whole only when a statement re-parents grids or
    -- inserts a parent together with its child.
    -- (Each branch names only the transition tables its event has.)
    IF TG_OP = 'INSERT' THEN
        -- A parent with no closure row yet is new in this statement. (Not a self-join of
        -- new_rows: transition tables have no statistics, and a nested loop over 50k grids
        -- took minutes.)
        IF EXISTS (SELECT 1 FROM new_rows n WHERE n.parent_id IS NOT NULL AND NOT EXISTS (
                   SELECT 1 FROM grid_ancestor a WHERE a.grid_id = n.parent_id)) THEN
            PERFORM twin_rebuild_grid_ancestor();
        ELSE
            INSERT INTO grid_ancestor (grid_id, ancestor_id, depth)
            SELECT id, id, 0 FROM new_rows
            UNION ALL
            SELECT n.id, a.ancestor_id, a.depth + 1
            FROM new_rows n JOIN grid_ancestor a ON a.grid_id = n.parent_id;
        END IF;
    ELSIF TG_OP = 'DELETE' THEN
        -- A grid with children cannot be deleted (RESTRICT), so only the deleted grids'
        -- own closure rows go.
        DELETE FROM grid_ancestor WHERE grid_id IN (SELECT id FROM old_rows);
    ELSIF EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n USING (id)
                  WHERE o.parent_id IS DISTINCT FROM n.parent_id) THEN
        PERFORM twin_rebuild_grid_ancestor();
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO grid_stat (grid_id) SELECT id FROM new_rows ON CONFLICT DO NOTHING;
        SELECT array_agg(geom) INTO moved FROM new_rows WHERE level = 'grid';
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(geom) INTO moved FROM old_rows WHERE level = 'grid';
        DELETE FROM grid_stat WHERE grid_id IN (SELECT id FROM old_rows);
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
