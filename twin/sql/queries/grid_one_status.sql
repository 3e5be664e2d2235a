-- The status counters of one grid (any level).
-- params: id bigint, at timestamptz
-- columns: counts jsonb, overdue bigint
SELECT
    coalesce((SELECT jsonb_object_agg(layer || '.' || key || '.' || value, n)
              FROM grid_stat WHERE grid_id = %(id)s AND n <> 0), '{}'::jsonb) AS counts,
    (SELECT count(*) FROM incident i JOIN grid_ancestor a ON a.grid_id = i.grid_id
     WHERE a.ancestor_id = %(id)s AND i.due_at < %(at)s
       AND i.status IN ('reported', 'dispatched', 'in_progress', 'escalated')) AS overdue;
