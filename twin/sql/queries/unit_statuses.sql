-- The counts of the given units, whatever their level (as grid_statuses reads a level).
-- params: ids bigint[], at timestamptz or NULL (when "overdue" is judged; NULL = now)
-- columns: id, code, name, level, parent_id, officer, population, households, area_m2,
--          overdue, grid_id, counts (bytea: every count column of grid_stat in 2, 4 or
--          8 bytes each, the fewest the unit's all fit in, in twin_stat_counts_columns()
--          order; migration 029; twin/spatial/counts.py reads it)
WITH checkpoint AS MATERIALIZED (
    SELECT c.at, coalesce(%(at)s::timestamptz, now()) AS upto
    FROM twin_overdue_checkpoint c WHERE c.layer = 'incident'
), unit AS MATERIALIZED (
    SELECT id, code, name, level, parent_id, officer, population, households, area_m2
    FROM grid WHERE id = ANY(%(ids)s::bigint[])
), finest AS (
    -- as grid_statuses: grid_stat holds the open cases due before the checkpoint (migration
    -- 020); only those due between it and the moment judged are read, from the partial
    -- (due_at, grid_id) index (a refresh of 300 units read all 116,686 overdue at metro size)
    SELECT i.grid_id, sum(CASE WHEN i.due_at >= k.at THEN 1 ELSE -1 END) AS n
    FROM incident i, checkpoint k
    WHERE i.status IN ('reported', 'dispatched', 'in_progress', 'escalated')
      AND i.due_at >= (SELECT least(at, upto) FROM checkpoint)
      AND i.due_at < (SELECT greatest(at, upto) FROM checkpoint)
      AND i.grid_id IS NOT NULL
    GROUP BY i.grid_id
), overdue AS (
    SELECT a.ancestor_id AS grid_id, sum(f.n)::bigint AS n
    FROM finest f
    CROSS JOIN LATERAL (SELECT x.ancestor_id FROM grid_ancestor x
                        WHERE x.grid_id = f.grid_id OFFSET 0) a
    WHERE a.ancestor_id IN (SELECT id FROM unit)
    GROUP BY a.ancestor_id
)
SELECT g.id, g.code, g.name, g.level, g.parent_id, g.officer, g.population, g.households,
       g.area_m2, s.open_due_before_checkpoint + coalesce(o.n, 0) AS overdue, s.grid_id,
       s.counts
FROM unit g
JOIN grid_stat s ON s.grid_id = g.id
LEFT JOIN overdue o ON o.grid_id = g.id
ORDER BY g.code;
