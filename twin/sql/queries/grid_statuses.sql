-- The status counters of every grid at one level, read from grid_stat (O(grids)).
-- params: level text, parent_id bigint or NULL (all of the level), at timestamptz (when
--         "overdue" is judged)
-- columns: id, code, name, level, parent_id, officer, population, households, area_m2,
--          counts jsonb ("layer.key.value" -> n), overdue bigint
WITH level_grid AS (
    SELECT * FROM grid
    WHERE level = %(level)s
      AND (%(parent_id)s::bigint IS NULL OR parent_id = %(parent_id)s::bigint)
), counts AS (
    SELECT s.grid_id, jsonb_object_agg(s.layer || '.' || s.key || '.' || s.value, s.n) AS counts
    FROM grid_stat s JOIN level_grid g ON g.id = s.grid_id
    WHERE s.n <> 0
    GROUP BY s.grid_id
), overdue AS (
    -- open and past due, through the partial index on open cases: O(open), not O(incidents)
    SELECT a.ancestor_id AS grid_id, count(*) AS n
    FROM incident i
    JOIN grid_ancestor a ON a.grid_id = i.grid_id
    JOIN level_grid g ON g.id = a.ancestor_id
    WHERE i.status IN ('reported', 'dispatched', 'in_progress', 'escalated')
      AND i.due_at < %(at)s
    GROUP BY a.ancestor_id
)
SELECT g.id, g.code, g.name, g.level, g.parent_id, g.officer, g.population, g.households,
       g.area_m2, coalesce(c.counts, '{}'::jsonb) AS counts, coalesce(o.n, 0) AS overdue
FROM level_grid g
LEFT JOIN counts c ON c.grid_id = g.id
LEFT JOIN overdue o ON o.grid_id = g.id
ORDER BY g.code;
