-- One case with its unit and position.
-- params: code text
-- columns: every incident column but geom, lon, lat, grid_code, grid_name
SELECT i.id, i.code, i.category, i.severity, i.source, i.status, i.reported_at,
       i.dispatched_at, i.started_at, i.escalated_at, i.resolved_at, i.closed_at,
       i.dispatch_due_at, i.start_due_at, i.due_at, i.department, i.officer, i.dispatch_rule,
       i.duplicate_of, i.description, ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat,
       g.code AS grid_code, g.name AS grid_name
FROM incident i LEFT JOIN grid g ON g.id = i.grid_id
WHERE i.code = %(code)s;
