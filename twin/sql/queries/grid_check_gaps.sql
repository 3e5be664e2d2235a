-- Gaps inside each parent the file names: parent area no grid of the level covers (stored
-- grids the file does not replace, plus the file's), beyond a tolerance in square metres.
-- Parents the loader derived are not checked: a level may cover its parents only in part.
-- params: level text, tolerance_m2 float
-- columns: parent_code, area_m2, lon, lat, next_to (the codes of the grids bordering it)
WITH touched AS (
    SELECT DISTINCT p.id, p.code, p.geom FROM twin_stage s
    JOIN grid p ON p.code = s.parent_code
    WHERE NOT s.derived
), children AS (
    SELECT g.parent_id, g.code, g.geom FROM grid g
    WHERE g.level = %(level)s AND NOT EXISTS (SELECT 1 FROM twin_stage s WHERE s.code = g.code)
    UNION ALL
    SELECT p.id, s.code, ST_GeomFromWKB(decode(s.wkb, 'hex'), 4326)
    FROM twin_stage s JOIN grid p ON p.code = s.parent_code
), gaps AS (
    SELECT t.id, t.code, (ST_Dump(ST_Difference(t.geom, coalesce(ST_Union(c.geom),
                    'GEOMETRYCOLLECTION EMPTY'::geometry)))).geom AS gap
    FROM touched t LEFT JOIN children c ON c.parent_id = t.id
    GROUP BY t.id, t.code, t.geom
)
SELECT g.code AS parent_code, round(twin_planar_m2(g.gap)::numeric, 1) AS area_m2,
       round(ST_X(ST_PointOnSurface(g.gap))::numeric, 6) AS lon,
       round(ST_Y(ST_PointOnSurface(g.gap))::numeric, 6) AS lat,
       (SELECT string_agg(DISTINCT c.code, ', ' ORDER BY c.code) FROM children c
        WHERE c.parent_id = g.id AND ST_DWithin(c.geom, g.gap, 1e-9)) AS next_to
FROM gaps g WHERE twin_planar_m2(g.gap) > %(tolerance_m2)s
ORDER BY 1, 2 DESC;
