-- Area in square metres of a small lon/lat polygon whose edges are straight in lon/lat (as
-- ST_Covers treats them). Used for tolerances on slivers, gaps and overlaps: geography would
-- turn float-precision slivers along km-long edges into metres of phantom area.
CREATE FUNCTION twin_planar_m2(g geometry) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN ST_IsEmpty(g) THEN 0 ELSE
        ST_Area(g) * 111320.0 * 111320.0 * cos(radians(ST_Y(ST_PointOnSurface(g)))) END
$$;
