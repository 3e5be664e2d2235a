-- As window_direct_counts, for the given grids only (the (grid_id, reported_at) index).
-- params: since timestamptz, ids bigint[]
-- columns: grid_id, n (grids with none are absent)
SELECT grid_id, count(*) AS n FROM incident
WHERE grid_id = ANY(%(ids)s::bigint[]) AND reported_at >= %(since)s::timestamptz
GROUP BY grid_id;
