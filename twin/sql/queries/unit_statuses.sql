-- The counts of the given units, whatever their level (as grid_statuses reads a level).
-- params: ids bigint[], at timestamptz or NULL (when "overdue" is judged; NULL = now)
-- columns: id, code, name, level, parent_id, officer, population, households, area_m2,
--          overdue, then grid_id and every count column of grid_stat
WITH unit AS MATERIALIZED (
    SELECT id, code, name, level, parent_id, officer, population, households, area_m2
    FROM grid WHERE id = ANY(%(ids)s::bigint[])
), overdue AS (
    -- each unit's open and past-due cases, through the (grid_id, due_at) partial index of
    -- every unit under it
    SELECT a.ancestor_id AS grid_id, count(*) AS n
    FROM grid_ancestor a
    JOIN incident i ON i.grid_id = a.grid_id
    WHERE a.ancestor_id IN (SELECT id FROM unit)
      AND i.status IN ('reported', 'dispatched', 'in_progress', 'escalated')
      AND i.due_at < coalesce(%(at)s::timestamptz, now())
    GROUP BY a.ancestor_id
)
SELECT g.id, g.code, g.name, g.level, g.parent_id, g.officer, g.population, g.households,
       g.area_m2, coalesce(o.n, 0) AS overdue, s.*
FROM unit g
JOIN grid_stat s ON s.grid_id = g.id
LEFT JOIN overdue o ON o.grid_id = g.id
ORDER BY g.code;
