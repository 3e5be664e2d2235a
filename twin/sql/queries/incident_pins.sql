-- The cases a wall took over, with what decides whether they stay pinned, and where they are.
-- params: ids bigint[]
-- columns: id, code, category, status, dispatched_at, grid_name, lon, lat
SELECT i.id, i.code, i.category, i.status, i.dispatched_at, g.name AS grid_name,
       ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat
FROM incident i LEFT JOIN grid g ON g.id = i.grid_id
WHERE i.id = ANY(%(ids)s::bigint[]);
