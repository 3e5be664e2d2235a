-- The counts of every grid at one level: one grid_stat row per grid (O(grids)).
-- params: level text, parent_id bigint or NULL (all of the level), at timestamptz or NULL
--         (when "overdue" is judged; NULL = now)
-- columns: id, code, name, level, parent_id, officer, population, households, area_m2,
--          overdue, grid_id, counts (bytea: every count column of grid_stat, 8 bytes
--          each in twin_stat_counts_columns() order; twin/spatial/counts.py reads it)
WITH checkpoint AS MATERIALIZED (
    SELECT c.at, coalesce(%(at)s::timestamptz, now()) AS upto
    FROM twin_overdue_checkpoint c WHERE c.layer = 'incident'
), level_grid AS MATERIALIZED (
    -- the columns shown, not the outlines: a level's geometry is megabytes to carry along
    SELECT id, code, name, level, parent_id, officer, population, households, area_m2
    FROM grid
    WHERE level = %(level)s
      AND (%(parent_id)s::bigint IS NULL OR parent_id = %(parent_id)s::bigint)
), finest AS (
    -- grid_stat holds the open cases due before the checkpoint (migration 020); add those
    -- due from it up to the moment judged, or take away those due from that moment up to it,
    -- straight from the partial (due_at, grid_id) index: O(cases in between), not O(overdue)
    SELECT i.grid_id, sum(CASE WHEN i.due_at >= k.at THEN 1 ELSE -1 END) AS n
    FROM incident i, checkpoint k
    WHERE i.status IN ('reported', 'dispatched', 'in_progress', 'escalated')
      AND i.due_at >= (SELECT least(at, upto) FROM checkpoint)
      AND i.due_at < (SELECT greatest(at, upto) FROM checkpoint)
      AND i.grid_id IS NOT NULL
    GROUP BY i.grid_id
), overdue AS (
    -- every ancestor of the few units in between (the join below keeps the level's): not
    -- filtered by the level first, which would hash the whole level for a handful of rows
    -- (LATERAL ... OFFSET 0: each unit's ancestors through the closure's key; the planner,
    -- guessing thousands of units in between, would hash the whole closure)
    SELECT a.ancestor_id AS grid_id, sum(f.n)::bigint AS n
    FROM finest f
    CROSS JOIN LATERAL (SELECT x.ancestor_id FROM grid_ancestor x
                        WHERE x.grid_id = f.grid_id OFFSET 0) a
    GROUP BY a.ancestor_id
)
SELECT g.id, g.code, g.name, g.level, g.parent_id, g.officer, g.population, g.households,
       g.area_m2, s.open_due_before_checkpoint + coalesce(o.n, 0) AS overdue, s.grid_id,
       s.counts
FROM level_grid g
JOIN grid_stat s ON s.grid_id = g.id
LEFT JOIN overdue o ON o.grid_id = g.id
ORDER BY g.code;
