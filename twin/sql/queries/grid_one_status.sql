-- The counts of one grid (any level), or of the unassigned points when id is 0.
-- params: id bigint, at timestamptz or NULL (when "overdue" is judged; NULL = now)
-- columns: overdue, then grid_id and every count column of grid_stat (no row: no such grid)
WITH overdue AS (
    SELECT count(*) AS n FROM incident i
    WHERE i.due_at < coalesce(%(at)s::timestamptz, now())
      AND i.status IN ('reported', 'dispatched', 'in_progress', 'escalated')
      AND CASE WHEN %(id)s::bigint = 0 THEN i.grid_id IS NULL
               ELSE i.grid_id IN (SELECT grid_id FROM grid_ancestor
                                  WHERE ancestor_id = %(id)s::bigint) END
)
SELECT (SELECT n FROM overdue) AS overdue, s.*
FROM grid_stat s WHERE s.grid_id = %(id)s::bigint;
