-- The counts of some units of the map in force (any level, each with its whole subtree):
-- cameras, sensors and open cases from grid_stat; overdue and recent cases seek each
-- unit's own grids through the (grid_id, ...) indexes, so a few units cost a few probes.
-- params: codes text[], at timestamptz (when "overdue" is judged), since timestamptz (start
--         of the recent window, which ends at `at`)
-- columns: code, cameras, sensors, open, overdue, incidents_90d (codes not in grid: no row)
WITH u AS (
    SELECT id, code FROM grid WHERE code = ANY(%(codes)s::text[])
), below AS (
    SELECT u.id AS unit_id, a.grid_id FROM u JOIN grid_ancestor a ON a.ancestor_id = u.id
), overdue AS (
    SELECT b.unit_id, count(*) AS n
    FROM below b JOIN incident i ON i.grid_id = b.grid_id
    WHERE i.status IN ('reported', 'dispatched', 'in_progress', 'escalated')
      AND i.due_at < %(at)s::timestamptz
    GROUP BY b.unit_id
), recent AS (
    SELECT b.unit_id, count(*) AS n
    FROM below b JOIN incident i ON i.grid_id = b.grid_id
    WHERE i.reported_at >= %(since)s::timestamptz AND i.reported_at <= %(at)s::timestamptz
    GROUP BY b.unit_id
)
SELECT u.code, s.cameras, s.sensors, s.open, coalesce(o.n, 0) AS overdue,
       coalesce(r.n, 0) AS incidents_90d
FROM u
JOIN grid_stat s ON s.grid_id = u.id
LEFT JOIN overdue o ON o.unit_id = u.id
LEFT JOIN recent r ON r.unit_id = u.id;
