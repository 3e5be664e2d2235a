-- The overdue and recent cases each unit owns itself (the unit a case is assigned to), by
-- index-only scans: the partial index on open cases by due time, the covering index on
-- report time. Per owner, so any unit's count is the sum over its subtree.
-- params: at timestamptz (when "overdue" is judged), since timestamptz (start of the recent
--         window, which ends at `at`)
-- columns: grid_id, overdue, recent
SELECT grid_id, sum(overdue)::bigint AS overdue, sum(recent)::bigint AS recent
FROM (
    SELECT grid_id, count(*) AS overdue, 0 AS recent FROM incident
    WHERE status IN ('reported', 'dispatched', 'in_progress', 'escalated')
      AND due_at < %(at)s::timestamptz AND grid_id IS NOT NULL
    GROUP BY grid_id
    UNION ALL
    SELECT grid_id, 0, count(*) FROM incident
    WHERE reported_at >= %(since)s::timestamptz AND reported_at <= %(at)s::timestamptz
      AND grid_id IS NOT NULL
    GROUP BY grid_id
) own
GROUP BY grid_id;
