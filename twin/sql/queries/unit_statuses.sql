-- The counts of the given units, whatever their level (as grid_statuses reads a level).
-- params: ids bigint[], at timestamptz or NULL (when "overdue" is judged; NULL = now)
-- columns: id, code, name, level, parent_id, officer, population, households, area_m2,
--          overdue, then grid_id and every count column of grid_stat
WITH unit AS MATERIALIZED (
    SELECT id, code, name, level, parent_id, officer, population, households, area_m2
    FROM grid WHERE id = ANY(%(ids)s::bigint[])
), finest AS (
    -- open and past due per finest unit, from the partial (due_at, grid_id) index alone (as
    -- grid_statuses): the units re-read always include districts, and probing each of their
    -- grids would cost more than this one pass over the overdue cases
    SELECT i.grid_id, count(*) AS n
    FROM incident i
    WHERE i.status IN ('reported', 'dispatched', 'in_progress', 'escalated')
      AND i.due_at < coalesce(%(at)s::timestamptz, now())
      AND i.grid_id IS NOT NULL
    GROUP BY i.grid_id
), overdue AS (
    SELECT a.ancestor_id AS grid_id, sum(f.n)::bigint AS n
    FROM finest f
    JOIN grid_ancestor a ON a.grid_id = f.grid_id
    WHERE a.ancestor_id IN (SELECT id FROM unit)
    GROUP BY a.ancestor_id
)
SELECT g.id, g.code, g.name, g.level, g.parent_id, g.officer, g.population, g.households,
       g.area_m2, coalesce(o.n, 0) AS overdue, s.*
FROM unit g
JOIN grid_stat s ON s.grid_id = g.id
LEFT JOIN overdue o ON o.grid_id = g.id
ORDER BY g.code;
