-- Versions of the grid map. `grid` stays the map in force now (every reader, counter and
-- trigger keeps reading it); its past lives beside it. A version is a numbered state of the
-- whole map with the moment it took effect; grid_history holds each unit's state for the
-- versions [version_from, version_to) it was valid in (version_to NULL: still in force).
-- The version in force at a moment is the greatest one whose effective_at is not after it
-- (before the first, the first): exactly one on any date.
CREATE TABLE grid_version (
    version      int PRIMARY KEY CHECK (version > 0),
    effective_at timestamptz NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    kind         text NOT NULL CHECK (kind IN ('initial', 'load', 'plan', 'rollback')),
    plan_name    text,
    note         text NOT NULL DEFAULT ''
);
CREATE INDEX grid_version_effective_idx ON grid_version (effective_at, version);

CREATE TABLE grid_history (
    code         text NOT NULL,
    name         text NOT NULL,
    level        text NOT NULL REFERENCES grid_level (level),
    parent_code  text,
    officer      text,
    population   integer,
    households   integer,
    geom         geometry(MultiPolygon, 4326) NOT NULL,
    version_from int NOT NULL REFERENCES grid_version (version),
    version_to   int REFERENCES grid_version (version),
    PRIMARY KEY (code, version_from),
    CHECK (version_to IS NULL OR version_to > version_from)
);
-- One open state per unit; the open rows are what record_version diffs the grid against.
CREATE UNIQUE INDEX grid_history_open_idx ON grid_history (code) WHERE version_to IS NULL;
CREATE INDEX grid_history_versions_idx ON grid_history (version_from, version_to);
-- Points are placed in a past version's units by their outlines (KPIs --as-of a date).
CREATE INDEX grid_history_geom_idx ON grid_history USING gist (geom);

-- Version 1: the map as it is when this migration runs (possibly empty).
INSERT INTO grid_version (version, effective_at, kind, note)
VALUES (1, now(), 'initial', 'the map when versions began');
INSERT INTO grid_history (code, name, level, parent_code, officer, population, households,
                          geom, version_from)
SELECT g.code, g.name, g.level, p.code, g.officer, g.population, g.households, g.geom, 1
FROM grid g LEFT JOIN grid p ON p.id = g.parent_id;

-- A redrawn map keeps every count exact without recounting the city. As 010's, but a
-- re-parented unit moves its subtree's counts from its old ancestors to its new ones (the
-- rows of the units whose ancestry changed, subtracted through the old closure and added
-- through the new), and a deleted unit first hands its points to the unit the rule now
-- gives them (so its ancestors lose them through the closure that still has it). Before,
-- both recounted every layer: a publish of 50 units cost a full recount. And a redrawn
-- unit re-derives only the points where its coverage changed, not every point it holds.
CREATE OR REPLACE FUNCTION twin_stat_move_rows(ids bigint[], sign int) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    layer_name text;
BEGIN
    FOR layer_name IN SELECT layer FROM twin_point_layer ORDER BY layer LOOP
        EXECUTE twin_stat_sql(layer_name, format(
            'SELECT %s AS sign, * FROM %I WHERE grid_id = ANY(%L::bigint[])',
            sign, layer_name, ids));
    END LOOP;
END $$;

CREATE OR REPLACE FUNCTION twin_release_points(ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    layer_name text;
BEGIN
    FOR layer_name IN SELECT layer FROM twin_point_layer ORDER BY layer LOOP
        EXECUTE format('UPDATE %I p SET grid_id = twin_grid_at(p.geom) '
                       'WHERE p.grid_id = ANY($1)', layer_name) USING ids;
    END LOOP;
END $$;

-- The rule of 010, in one probe of the spatial index: the units covering the point (a few,
-- one per level), the deepest first, then the lowest code. 010's two queries let the planner
-- AND the spatial index with the level index, reading every unit of the finest level's
-- entries per point (about 1 ms at city size, twice per moved point with the row trigger).
CREATE OR REPLACE FUNCTION twin_grid_at(p geometry) RETURNS bigint
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    found bigint;
BEGIN
    SELECT c.id INTO found
    FROM (SELECT g.id, g.code, g.level FROM grid g WHERE ST_Covers(g.geom, p) OFFSET 0) c
    JOIN grid_level l ON l.level = c.level
    ORDER BY l.depth DESC, c.code
    LIMIT 1;
    RETURN found;
END $$;

-- Where a redrawn unit's coverage changed: only points there can change unit (a point in
-- the part the unit keeps is covered by the same units as before). Both outlines whole when
-- the overlay fails on a geometry GEOS cannot overlay.
CREATE OR REPLACE FUNCTION twin_changed_area(old_geom geometry, new_geom geometry) RETURNS geometry
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN ST_SymDifference(old_geom, new_geom);
EXCEPTION WHEN OTHERS THEN
    RETURN ST_Collect(old_geom, new_geom);
END $$;

-- As 010's, but candidates within a hair (1e-9°, 0.1 mm) of the area, not only inside it:
-- a point on a new shared edge lies on the changed area's boundary, which an overlay's
-- rounding may leave a hair away.
CREATE OR REPLACE FUNCTION twin_reassign_points(area geometry[], max_depth smallint)
RETURNS void LANGUAGE plpgsql AS $$
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
                                            WHERE ST_DWithin(a.g, q.geom, 1e-9) OFFSET 0) hit
                        WHERE NOT EXISTS (SELECT 1 FROM grid g
                                          JOIN grid_level l ON l.level = g.level
                                          WHERE g.id = hit.grid_id AND l.depth > $2)
                        ORDER BY hit.id
                        OFFSET 0) m) c
            WHERE p.id = c.id AND p.grid_id IS DISTINCT FROM c.unit
        $q$, layer_name) USING area, max_depth;
    END LOOP;
END $$;

CREATE OR REPLACE FUNCTION twin_grid_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    moved geometry[];
    deepest smallint;
    gone bigint[];
    reparented bigint[];
    below bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- (As 006: a parent with no closure row yet is new in this statement.)
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
        INSERT INTO grid_stat (grid_id) SELECT id FROM new_rows ON CONFLICT DO NOTHING;
        SELECT array_agg(n.geom), max(l.depth) INTO moved, deepest
        FROM new_rows n JOIN grid_level l ON l.level = n.level;
    ELSIF TG_OP = 'DELETE' THEN
        -- A unit with children cannot be deleted (RESTRICT): only its own points move.
        SELECT array_agg(id) INTO gone FROM old_rows;
        PERFORM twin_release_points(gone);
        DELETE FROM grid_ancestor WHERE grid_id = ANY(gone);
        DELETE FROM grid_stat WHERE grid_id = ANY(gone);
    ELSE
        SELECT array_agg(o.id) INTO reparented
        FROM old_rows o JOIN new_rows n USING (id)
        WHERE o.parent_id IS DISTINCT FROM n.parent_id;
        IF reparented IS NOT NULL THEN
            SELECT array_agg(DISTINCT grid_id) INTO below
            FROM grid_ancestor WHERE ancestor_id = ANY(reparented);
            PERFORM twin_stat_move_rows(below, -1);
            PERFORM twin_rebuild_grid_ancestor();
            PERFORM twin_stat_move_rows(below, 1);
        END IF;
        SELECT array_agg(c.g), max(c.depth) INTO moved, deepest FROM (
            SELECT CASE WHEN o.level = n.level AND o.code = n.code
                        THEN twin_changed_area(o.geom, n.geom)
                        ELSE ST_Collect(o.geom, n.geom) END AS g,
                   greatest(lo.depth, ln.depth) AS depth
            FROM old_rows o JOIN new_rows n USING (id)
            JOIN grid_level lo ON lo.level = o.level
            JOIN grid_level ln ON ln.level = n.level
            WHERE o.level <> n.level OR o.code <> n.code OR NOT ST_Equals(o.geom, n.geom)
        ) c;
    END IF;
    IF moved IS NOT NULL THEN
        PERFORM twin_reassign_points(moved, deepest);
    END IF;
    RETURN NULL;
END $$;
