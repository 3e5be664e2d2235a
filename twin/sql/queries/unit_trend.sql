-- Cases reported per local day and category in a window, for one unit or the whole city.
-- params: id bigint or NULL (city), since timestamptz, tz text (IANA zone of the local day)
-- columns: day (date), category, n
SELECT (i.reported_at AT TIME ZONE %(tz)s::text)::date AS day, i.category, count(*) AS n
FROM incident i
WHERE i.reported_at >= %(since)s::timestamptz
  AND (%(id)s::bigint IS NULL
       OR i.grid_id IN (SELECT grid_id FROM grid_ancestor WHERE ancestor_id = %(id)s::bigint))
GROUP BY 1, 2
ORDER BY 1, 2;
