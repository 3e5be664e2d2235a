-- The units (with their ancestors) holding an open case that fell due in [since, until): their
-- overdue count moved with the clock, not with a write. Reads the partial (due_at, grid_id)
-- index only.
-- params: since timestamptz, until timestamptz
-- columns: grid_id (0: a case in no grid)
SELECT DISTINCT coalesce(a.ancestor_id, 0) AS grid_id
FROM incident i
LEFT JOIN grid_ancestor a ON a.grid_id = i.grid_id
WHERE i.status IN ('reported', 'dispatched', 'in_progress', 'escalated')
  AND i.due_at >= %(since)s::timestamptz AND i.due_at < %(until)s::timestamptz;
