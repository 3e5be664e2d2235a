-- The flow of one unit's cases (any level; NULL: the whole city, unassigned included).
-- params: id bigint or NULL, today timestamptz (start of the local day),
--         since timestamptz (start of the 30-day window)
-- columns: new_today, closed_today, closed_window, closed_on_time_window,
--          median_handling_hours (NULL when nothing closed in the window)
-- A unit's cases are reached unit by unit through (grid_id, time) indexes; the city's
-- through the time indexes alone. Exactly one branch of each UNION ALL returns rows.
WITH units AS MATERIALIZED (
    SELECT grid_id FROM grid_ancestor WHERE ancestor_id = %(id)s::bigint
), reported AS (
    SELECT count(*) AS n FROM (
        SELECT 1 FROM incident i
        WHERE %(id)s::bigint IS NULL AND i.reported_at >= %(today)s::timestamptz
        UNION ALL
        SELECT 1 FROM units u JOIN incident i ON i.grid_id = u.grid_id
        WHERE i.reported_at >= %(today)s::timestamptz
    ) x
), closed AS (
    SELECT i.reported_at, i.closed_at, i.due_at FROM incident i
    WHERE %(id)s::bigint IS NULL AND i.closed_at >= %(since)s::timestamptz
    UNION ALL
    SELECT i.reported_at, i.closed_at, i.due_at FROM units u JOIN incident i
        ON i.grid_id = u.grid_id
    WHERE i.closed_at >= %(since)s::timestamptz
)
SELECT (SELECT n FROM reported) AS new_today,
       count(*) FILTER (WHERE closed_at >= %(today)s::timestamptz) AS closed_today,
       count(*) AS closed_window,
       count(*) FILTER (WHERE closed_at <= due_at) AS closed_on_time_window,
       percentile_cont(0.5) WITHIN GROUP (
           ORDER BY extract(epoch FROM closed_at - reported_at)) / 3600.0
           AS median_handling_hours
FROM closed;
