-- The counts of the units directly under one unit, whatever their level, as one JSON array
-- (NULL: no children); the children part of the one-round-trip drill-down (drilldown.py).
-- params: code text (the parent's), at timestamptz or NULL (when "overdue" is judged;
--         NULL = now)
-- columns: children (json array of {id, code, name, level, parent_id, officer, population,
--          households, area_m2, overdue, grid_id, every count column of grid_stat})
SELECT json_agg(c) AS children FROM (
    SELECT k.id, k.code, k.name, k.level, k.parent_id, k.officer, k.population,
           k.households, k.area_m2,
           (SELECT count(*) FROM grid_ancestor a JOIN incident i ON i.grid_id = a.grid_id
            WHERE a.ancestor_id = k.id
              AND i.status IN ('reported', 'dispatched', 'in_progress', 'escalated')
              AND i.due_at < coalesce(%(at)s::timestamptz, now())) AS overdue,
           s.*
    FROM grid k JOIN grid_stat_counts s ON s.grid_id = k.id
    WHERE k.parent_id = (SELECT id FROM grid WHERE code = %(code)s)
) c;
