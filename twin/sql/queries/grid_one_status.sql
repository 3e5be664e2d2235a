-- The counts of one grid (any level), or of the unassigned points when id is 0.
-- params: id bigint, at timestamptz or NULL (when "overdue" is judged; NULL = now)
-- columns: overdue, then grid_id and every count column of grid_stat (no row: no such grid)
WITH checkpoint AS MATERIALIZED (
    SELECT c.at, coalesce(%(at)s::timestamptz, now()) AS upto
    FROM twin_overdue_checkpoint c WHERE c.layer = 'incident'
), between_checkpoint AS (
    -- as grid_statuses: the open cases due between the checkpoint and the moment judged
    SELECT coalesce(sum(CASE WHEN i.due_at >= k.at THEN 1 ELSE -1 END), 0) AS n
    FROM incident i, checkpoint k
    WHERE i.due_at >= (SELECT least(at, upto) FROM checkpoint)
      AND i.due_at < (SELECT greatest(at, upto) FROM checkpoint)
      AND i.status IN ('reported', 'dispatched', 'in_progress', 'escalated')
      AND CASE WHEN %(id)s::bigint = 0 THEN i.grid_id IS NULL
               ELSE i.grid_id IN (SELECT grid_id FROM grid_ancestor
                                  WHERE ancestor_id = %(id)s::bigint) END
)
SELECT s.open_due_before_checkpoint + (SELECT n FROM between_checkpoint) AS overdue, s.*
FROM grid_stat_counts s WHERE s.grid_id = %(id)s::bigint;
