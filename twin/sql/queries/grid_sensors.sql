-- The sensors inside a grid of any level.
-- params: id bigint, limit int (problems come first, so a cut keeps them)
-- columns: code, kind, status, last_value, unit, last_reading_at, lon, lat
SELECT s.code, s.kind, s.status, s.last_value, s.unit, s.last_reading_at,
       ST_X(s.geom) AS lon, ST_Y(s.geom) AS lat
FROM sensor s JOIN grid_ancestor a ON a.grid_id = s.grid_id
WHERE a.ancestor_id = %(id)s
ORDER BY s.status <> 'alarm', s.status <> 'offline', s.code
LIMIT %(limit)s::int;
