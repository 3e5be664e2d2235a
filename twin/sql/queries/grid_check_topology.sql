-- Staged grids outside the parent their file names, or overlapping another grid of the same
-- level (staged, or already stored and not replaced by the file), beyond a tolerance in
-- square metres. (A derived parent holds its unit by construction, to the loader's share.)
-- params: level text, tolerance_m2 float
-- columns: feature, code, field, reason
WITH staged AS (
    SELECT s.feature, s.code, s.parent_code, s.derived, ST_Multi(ST_GeomFromWKB(decode(s.wkb, 'hex'), 4326)) AS geom
    FROM twin_stage s
), level_now AS (  -- the level as it will be: stored grids the file does not replace, and the file's
    SELECT NULL::int AS feature, g.code, g.geom FROM grid g
    WHERE g.level = %(level)s AND NOT EXISTS (SELECT 1 FROM twin_stage s WHERE s.code = g.code)
    UNION ALL
    SELECT feature, code, geom FROM staged
), outside AS (
    SELECT s.feature, s.code, ST_Difference(s.geom, p.geom) AS part, p.code AS parent
    FROM staged s JOIN grid p ON p.code = s.parent_code
    WHERE NOT s.derived
), overlap AS (
    SELECT a.feature, a.code, ST_Intersection(a.geom, b.geom) AS part, b.code AS other
    FROM staged a JOIN level_now b
      ON a.code <> b.code AND ST_Intersects(a.geom, b.geom)
     AND (b.feature IS NULL OR a.feature < b.feature)  -- each staged pair once
)
SELECT feature, code, 'geometry' AS field,
       format('not inside its parent %%s: %%s m² outside, near (%%s, %%s)', parent,
              round(twin_planar_m2(part)::numeric, 1),
              round(ST_X(ST_PointOnSurface(part))::numeric, 6),
              round(ST_Y(ST_PointOnSurface(part))::numeric, 6)) AS reason
FROM outside WHERE twin_planar_m2(part) > %(tolerance_m2)s
UNION ALL
SELECT feature, code, 'geometry',
       format('overlaps grid %%s by %%s m², near (%%s, %%s)', other,
              round(twin_planar_m2(part)::numeric, 1),
              round(ST_X(ST_PointOnSurface(part))::numeric, 6),
              round(ST_Y(ST_PointOnSurface(part))::numeric, 6))
FROM overlap
WHERE ST_Dimension(part) = 2 AND twin_planar_m2(ST_CollectionExtract(part, 3)) > %(tolerance_m2)s
ORDER BY 1;
