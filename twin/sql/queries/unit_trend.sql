-- Cases reported per local hour or day and category in a window, for one unit or the city.
-- params: id bigint or NULL (city), since timestamptz, until timestamptz or NULL (the
--         window [since, until); NULL: no end), tz text (IANA zone of the local day),
--         step text ('hour' | 'day')
-- columns: bin (timestamp: the local hour or midnight), category, n
-- Exactly one branch of the UNION ALL returns rows (see unit_activity.sql).
WITH units AS MATERIALIZED (
    SELECT grid_id FROM grid_ancestor WHERE ancestor_id = %(id)s::bigint
), cases AS (
    SELECT i.reported_at, i.category FROM incident i
    WHERE %(id)s::bigint IS NULL AND i.reported_at >= %(since)s::timestamptz
      AND i.reported_at < coalesce(%(until)s::timestamptz, 'infinity')
    UNION ALL
    SELECT i.reported_at, i.category FROM units u JOIN incident i ON i.grid_id = u.grid_id
    WHERE i.reported_at >= %(since)s::timestamptz
      AND i.reported_at < coalesce(%(until)s::timestamptz, 'infinity')
)
SELECT date_trunc(%(step)s::text, reported_at AT TIME ZONE %(tz)s::text) AS bin, category,
       count(*) AS n
FROM cases
GROUP BY 1, 2
ORDER BY 1, 2;
