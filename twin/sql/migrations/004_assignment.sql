-- Write-time grid assignment.
--
-- Rule: a point belongs to the finest-level grid whose polygon covers it (interior or
-- boundary, ST_Covers). A point on an edge or vertex shared by several grids belongs to the
-- one with the lowest code (text order) — deterministic, independent of load order, and stable
-- across reloads because codes are administrative identifiers. A point covered by no grid
-- (outside the city, or in a hole no grid fills) gets grid_id NULL: it is kept and counted
-- as unassigned, never dropped.
CREATE FUNCTION twin_grid_at(p geometry) RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT id FROM grid
    WHERE level = 'grid' AND ST_Covers(geom, p)
    ORDER BY code
    LIMIT 1
$$;

CREATE FUNCTION twin_assign_grid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.grid_id := twin_grid_at(NEW.geom);
    RETURN NEW;
END $$;

-- Bulk loads assign set-based (polygon-driven) and say so with SET LOCAL
-- twin.bulk_assigned = 'on'; the per-row lookup is then skipped.
CREATE TRIGGER camera_assign BEFORE INSERT OR UPDATE OF geom, grid_id ON camera FOR EACH ROW
    WHEN (current_setting('twin.bulk_assigned', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION twin_assign_grid();
CREATE TRIGGER sensor_assign BEFORE INSERT OR UPDATE OF geom, grid_id ON sensor FOR EACH ROW
    WHEN (current_setting('twin.bulk_assigned', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION twin_assign_grid();
CREATE TRIGGER incident_assign BEFORE INSERT OR UPDATE OF geom, grid_id ON incident FOR EACH ROW
    WHEN (current_setting('twin.bulk_assigned', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION twin_assign_grid();
