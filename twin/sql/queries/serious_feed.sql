-- The newest serious cases (severity 1 or 2) with the grid they lie in, newest first.
-- params: limit int
-- columns: id, code, category, severity, status, reported_at, grid_code, grid_name, lon, lat
SELECT i.id, i.code, i.category, i.severity, i.status, i.reported_at,
       g.code AS grid_code, g.name AS grid_name, ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat
FROM incident i LEFT JOIN grid g ON g.id = i.grid_id
WHERE i.severity <= 2
ORDER BY i.reported_at DESC, i.id DESC
LIMIT %(limit)s::int;
