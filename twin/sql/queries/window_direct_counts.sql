-- Cases reported since a moment, per grid they lie in (not rolled up): the base a reader
-- keeps so that a change re-counts only the grids it touched.
-- params: since timestamptz
-- columns: grid_id, n (grids with none are absent)
SELECT grid_id, count(*) AS n FROM incident
WHERE reported_at >= %(since)s::timestamptz AND grid_id IS NOT NULL
GROUP BY grid_id;
