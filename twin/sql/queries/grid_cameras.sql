-- The cameras inside a grid of any level.
-- params: id bigint, limit int (problems come first, so a cut keeps them)
-- columns: code, name, status, last_seen, heading_deg, fov_deg, range_m, lon, lat
SELECT c.code, c.name, c.status, c.last_seen, c.heading_deg, c.fov_deg, c.range_m,
       ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat
FROM camera c JOIN grid_ancestor a ON a.grid_id = c.grid_id
WHERE a.ancestor_id = %(id)s
ORDER BY c.status <> 'fault', c.status <> 'offline', c.code
LIMIT %(limit)s::int;
