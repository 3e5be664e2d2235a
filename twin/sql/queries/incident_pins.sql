-- The cases a wall took over, with what decides whether they stay pinned, and where they are.
-- params: ids bigint[]
-- columns: id, code, category, status, dispatched_at, lon, lat
SELECT i.id, i.code, i.category, i.status, i.dispatched_at, ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat
FROM incident i
WHERE i.id = ANY(%(ids)s::bigint[]);
