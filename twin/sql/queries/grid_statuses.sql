-- The counts of every grid at one level: one grid_stat row per grid (O(grids)).
-- params: level text, parent_id bigint or NULL (all of the level), at timestamptz or NULL
--         (when "overdue" is judged; NULL = now)
-- columns: id, code, name, level, parent_id, officer, population, households, area_m2,
--          overdue, then grid_id and every count column of grid_stat
WITH level_grid AS (
    SELECT * FROM grid
    WHERE level = %(level)s
      AND (%(parent_id)s::bigint IS NULL OR parent_id = %(parent_id)s::bigint)
), overdue AS (
    -- open and past due, through the partial index on open cases: O(open), not O(incidents)
    SELECT a.ancestor_id AS grid_id, count(*) AS n
    FROM incident i
    JOIN grid_ancestor a ON a.grid_id = i.grid_id
    JOIN level_grid g ON g.id = a.ancestor_id
    WHERE i.status IN ('reported', 'dispatched', 'in_progress', 'escalated')
      AND i.due_at < coalesce(%(at)s::timestamptz, now())
    GROUP BY a.ancestor_id
)
SELECT g.id, g.code, g.name, g.level, g.parent_id, g.officer, g.population, g.households,
       g.area_m2, coalesce(o.n, 0) AS overdue, s.*
FROM level_grid g
JOIN grid_stat s ON s.grid_id = g.id
LEFT JOIN overdue o ON o.grid_id = g.id
ORDER BY g.code;
