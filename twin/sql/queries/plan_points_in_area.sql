-- The points lying in some areas (the pieces a plan changes hands), with the unit that owns
-- each now. Each area is probed through the points' GiST indexes.
-- params: areas bytea[] (WKB polygons, EPSG:4326)
-- columns: layer, code, owner (the unit's code; NULL: in no unit), status, due_at,
--          reported_at, lon, lat
WITH area AS (
    SELECT ST_GeomFromWKB(w, 4326) AS g FROM unnest(%(areas)s::bytea[]) AS w
), hit AS (
    SELECT 'camera' AS layer, c.code, c.grid_id, NULL::text AS status,
           NULL::timestamptz AS due_at, NULL::timestamptz AS reported_at, c.geom
    FROM camera c WHERE EXISTS (SELECT 1 FROM area WHERE ST_Intersects(c.geom, area.g))
    UNION ALL
    SELECT 'sensor', s.code, s.grid_id, s.status, NULL, NULL, s.geom
    FROM sensor s WHERE EXISTS (SELECT 1 FROM area WHERE ST_Intersects(s.geom, area.g))
    UNION ALL
    SELECT 'incident', i.code, i.grid_id, i.status, i.due_at, i.reported_at, i.geom
    FROM incident i WHERE EXISTS (SELECT 1 FROM area WHERE ST_Intersects(i.geom, area.g))
)
SELECT h.layer, h.code, g.code AS owner, h.status, h.due_at, h.reported_at,
       ST_X(h.geom) AS lon, ST_Y(h.geom) AS lat
FROM hit h LEFT JOIN grid g ON g.id = h.grid_id
ORDER BY h.layer, h.code;
