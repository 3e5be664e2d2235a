-- Cities of any shape: levels may be skipped or absent, and a point belongs to the finest
-- loaded unit that covers it, at whatever level.

-- A unit's parent sits at a coarser level (lower depth), or it has none and stands directly
-- under the city (a grids-only city, or a street layer loaded without districts).
CREATE OR REPLACE FUNCTION twin_check_grid_parent() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    mine smallint := (SELECT depth FROM grid_level WHERE level = NEW.level);
    got_level text;
    got smallint;
BEGIN
    IF NEW.parent_id IS NULL THEN
        RETURN NEW;
    END IF;
    SELECT g.level, l.depth INTO got_level, got
    FROM grid g JOIN grid_level l ON l.level = g.level WHERE g.id = NEW.parent_id;
    IF got IS NULL OR got >= mine THEN
        RAISE EXCEPTION 'grid %: a % must have a coarser unit as parent (or none), not a %',
            NEW.code, NEW.level, coalesce(got_level, 'missing unit')
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

-- Rule (replaces 004's): a point belongs to the unit of the greatest level depth whose
-- polygon covers it (ST_Covers); among several at that depth, the lowest code. So a unit
-- whose children cover it owns no point, and a community with no grids loaded owns the
-- points inside it. Most points lie in a unit of the finest level: one probe of that level
-- finds them, as before; only the others pay for the probe of every level.
CREATE OR REPLACE FUNCTION twin_grid_at(p geometry) RETURNS bigint
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    found bigint;
BEGIN
    SELECT g.id INTO found FROM grid g
    WHERE g.level = (SELECT level FROM grid_level ORDER BY depth DESC LIMIT 1)
      AND ST_Covers(g.geom, p)
    ORDER BY g.code
    LIMIT 1;
    IF found IS NULL THEN
        SELECT g.id INTO found FROM grid g JOIN grid_level l ON l.level = g.level
        WHERE ST_Covers(g.geom, p)
        ORDER BY l.depth DESC, g.code
        LIMIT 1;
    END IF;
    RETURN found;
END $$;

-- Re-derive grid_id of the points in the given polygons. Only a point in no unit, in a unit
-- that is gone, or in a unit no finer than max_depth can move: a change at some level never
-- takes a point from a finer unit (that one still covers it). So redrawing a district skips
-- the rule for the points of its grids, and looks up only the unit each one is in.
CREATE FUNCTION twin_reassign_points(area geometry[], max_depth smallint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    layer_name text;
BEGIN
    FOR layer_name IN SELECT layer FROM twin_point_layer ORDER BY layer LOOP
        EXECUTE format($q$
            UPDATE %1$I p SET grid_id = c.unit
            FROM (SELECT m.id, twin_grid_at(m.geom) AS unit
                  FROM (SELECT DISTINCT ON (hit.id) hit.id, hit.geom
                        FROM unnest($1) AS a(g)
                        CROSS JOIN LATERAL (SELECT q.id, q.geom, q.grid_id FROM %1$I q
                                            WHERE ST_Intersects(a.g, q.geom) OFFSET 0) hit
                        WHERE NOT EXISTS (SELECT 1 FROM grid g
                                          JOIN grid_level l ON l.level = g.level
                                          WHERE g.id = hit.grid_id AND l.depth > $2)
                        ORDER BY hit.id
                        OFFSET 0) m) c
            WHERE p.id = c.id AND p.grid_id IS DISTINCT FROM c.unit
        $q$, layer_name) USING area, max_depth;
    END LOOP;
END $$;
DROP FUNCTION twin_reassign_points(geometry[]);

-- As 006's, but a unit of any level added, removed or redrawn moves the points it may take
-- or give up (before, only grids did: a city of districts assigned nothing).
CREATE OR REPLACE FUNCTION twin_grid_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    moved geometry[];
    deepest smallint;
    reparented boolean := false;
BEGIN
    -- The closure is kept in place: extended for new units, trimmed for deleted ones (so a
    -- planner's single edits stay cheap; rebuilding it per statement made 500 one-row inserts
    -- in a transaction quadratic), rebuilt whole only when a statement re-parents units or
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
        -- A unit with children cannot be deleted (RESTRICT), so only the deleted units'
        -- own closure rows go.
        DELETE FROM grid_ancestor WHERE grid_id IN (SELECT id FROM old_rows);
    ELSIF EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n USING (id)
                  WHERE o.parent_id IS DISTINCT FROM n.parent_id) THEN
        PERFORM twin_rebuild_grid_ancestor();
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO grid_stat (grid_id) SELECT id FROM new_rows ON CONFLICT DO NOTHING;
        SELECT array_agg(n.geom), max(l.depth) INTO moved, deepest
        FROM new_rows n JOIN grid_level l ON l.level = n.level;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(o.geom), max(l.depth) INTO moved, deepest
        FROM old_rows o JOIN grid_level l ON l.level = o.level;
        DELETE FROM grid_stat WHERE grid_id IN (SELECT id FROM old_rows);
        reparented := true;  -- the deleted units' ancestors must lose their counts too
    ELSE
        SELECT array_agg(c.g), max(c.depth) INTO moved, deepest FROM (
            SELECT unnest(ARRAY[o.geom, n.geom]) AS g, greatest(lo.depth, ln.depth) AS depth
            FROM old_rows o JOIN new_rows n USING (id)
            JOIN grid_level lo ON lo.level = o.level
            JOIN grid_level ln ON ln.level = n.level
            WHERE o.level <> n.level OR o.code <> n.code OR NOT ST_Equals(o.geom, n.geom)
        ) c;
        reparented := EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n USING (id)
                              WHERE o.parent_id IS DISTINCT FROM n.parent_id
                                 OR o.level <> n.level);
    END IF;
    IF moved IS NOT NULL THEN
        PERFORM twin_reassign_points(moved, deepest);
    END IF;
    IF reparented THEN
        PERFORM twin_stat_rebuild(layer) FROM twin_point_layer;
    END IF;
    RETURN NULL;
END $$;
