-- The flow of one unit's cases (any level; NULL: the whole city, unassigned included).
-- params: id bigint or NULL, today timestamptz (start of the local day),
--         since timestamptz, until timestamptz or NULL (the window [since, until);
--         NULL: no end)
-- columns: new_today, closed_today, new_window, closed_window, closed_on_time_window,
--          median_handling_hours (NULL when nothing closed in the window)
-- A unit's cases are reached unit by unit through (grid_id, time) indexes; the city's
-- through the time indexes alone. Exactly one branch of each UNION ALL returns rows.
-- Today's figures are read even when the window ended before today (a past range).
WITH units AS MATERIALIZED (
    SELECT grid_id FROM grid_ancestor WHERE ancestor_id = %(id)s::bigint
), bounds AS MATERIALIZED (
    SELECT least(%(today)s::timestamptz, %(since)s::timestamptz) AS low
), ends AS MATERIALIZED (
    SELECT coalesce(%(until)s::timestamptz, 'infinity') AS until
), reported AS (
    SELECT count(*) FILTER (WHERE reported_at >= %(today)s::timestamptz) AS today,
           count(*) FILTER (WHERE reported_at >= %(since)s::timestamptz
                              AND reported_at < (SELECT until FROM ends)) AS in_window
    FROM (
        SELECT i.reported_at FROM incident i
        WHERE %(id)s::bigint IS NULL AND i.reported_at >= (SELECT low FROM bounds)
        UNION ALL
        SELECT i.reported_at FROM units u JOIN incident i ON i.grid_id = u.grid_id
        WHERE i.reported_at >= (SELECT low FROM bounds)
    ) x
), closed AS (
    SELECT i.reported_at, i.closed_at, i.due_at,
           i.closed_at >= %(since)s::timestamptz
           AND i.closed_at < (SELECT until FROM ends) AS in_window
    FROM (
        SELECT i.reported_at, i.closed_at, i.due_at FROM incident i
        WHERE %(id)s::bigint IS NULL AND i.closed_at >= (SELECT low FROM bounds)
        UNION ALL
        SELECT i.reported_at, i.closed_at, i.due_at FROM units u JOIN incident i
            ON i.grid_id = u.grid_id
        WHERE i.closed_at >= (SELECT low FROM bounds)
    ) i
)
SELECT (SELECT today FROM reported) AS new_today,
       count(*) FILTER (WHERE closed_at >= %(today)s::timestamptz) AS closed_today,
       (SELECT in_window FROM reported) AS new_window,
       count(*) FILTER (WHERE in_window) AS closed_window,
       count(*) FILTER (WHERE in_window AND closed_at <= due_at) AS closed_on_time_window,
       percentile_cont(0.5) WITHIN GROUP (
           ORDER BY extract(epoch FROM closed_at - reported_at)) FILTER (WHERE in_window)
           / 3600.0 AS median_handling_hours
FROM closed;
