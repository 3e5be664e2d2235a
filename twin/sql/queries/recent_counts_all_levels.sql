-- Cases reported in a window, per unit of every level, in one pass over the window.
-- params: since timestamptz, until timestamptz or NULL (no end: up to now)
-- columns: level, code, n (units with none are absent)
WITH per_grid AS (
    SELECT grid_id, count(*) AS n FROM incident
    WHERE reported_at >= %(since)s::timestamptz
      AND reported_at < coalesce(%(until)s::timestamptz, 'infinity')
      AND grid_id IS NOT NULL
    GROUP BY grid_id
)
SELECT u.level, u.code, sum(p.n)::bigint AS n
FROM per_grid p
JOIN grid_ancestor a ON a.grid_id = p.grid_id
JOIN grid u ON u.id = a.ancestor_id
GROUP BY u.level, u.code;
