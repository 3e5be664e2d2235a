-- The flow of one unit's cases (any level; NULL: the whole city, unassigned included).
-- params: id bigint or NULL, today timestamptz (start of the local day),
--         since timestamptz (start of the 30-day window)
-- columns: new_today, closed_today, closed_window, closed_on_time_window,
--          median_handling_hours (NULL when nothing closed in the window)
WITH units AS (
    SELECT grid_id FROM grid_ancestor WHERE ancestor_id = %(id)s::bigint
), reported AS (
    SELECT count(*) AS n FROM incident i
    WHERE i.reported_at >= %(today)s::timestamptz
      AND (%(id)s::bigint IS NULL OR i.grid_id IN (SELECT grid_id FROM units))
), closed AS (
    SELECT i.reported_at, i.closed_at, i.due_at FROM incident i
    WHERE i.closed_at >= %(since)s::timestamptz
      AND (%(id)s::bigint IS NULL OR i.grid_id IN (SELECT grid_id FROM units))
)
SELECT (SELECT n FROM reported) AS new_today,
       count(*) FILTER (WHERE closed_at >= %(today)s::timestamptz) AS closed_today,
       count(*) AS closed_window,
       count(*) FILTER (WHERE closed_at <= due_at) AS closed_on_time_window,
       percentile_cont(0.5) WITHIN GROUP (
           ORDER BY extract(epoch FROM closed_at - reported_at)) / 3600.0
           AS median_handling_hours
FROM closed;
