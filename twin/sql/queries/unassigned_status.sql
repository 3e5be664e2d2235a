-- The counters of points that lie in no grid (grid_stat row 0).
-- params: at timestamptz
-- columns: counts jsonb, overdue bigint
SELECT
    coalesce((SELECT jsonb_object_agg(layer || '.' || key || '.' || value, n)
              FROM grid_stat WHERE grid_id = 0 AND n <> 0), '{}'::jsonb) AS counts,
    (SELECT count(*) FROM incident
     WHERE grid_id IS NULL AND due_at < %(at)s
       AND status IN ('reported', 'dispatched', 'in_progress', 'escalated')) AS overdue;
