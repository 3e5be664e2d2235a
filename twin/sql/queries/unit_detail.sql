-- One unit's drill-down head in one row (no row: no unit has that code): the unit, its
-- lineage and its counts. JSON, so the row keeps one type however many count columns
-- grid_stat has (the statement can stay prepared); drilldown.py adds the other parts.
-- params: code text, at timestamptz or NULL (when "overdue" is judged; NULL = now)
-- columns: id, grid (json: id, code, name, level, parent_id, officer, population, households,
--          area_m2), lineage (json array of {id, code, name, level}, district first),
--          overdue, status (json: grid_id and every count column of grid_stat; NULL: no row)
-- Overdue is open and past due, read unit by unit through the partial (grid_id, due_at) index.
WITH g AS MATERIALIZED (
    SELECT id, code, name, level, parent_id, officer, population, households, area_m2
    FROM grid WHERE code = %(code)s
)
SELECT g.id,
       row_to_json(g) AS grid,
       (SELECT json_agg(json_build_object('id', x.id, 'code', x.code, 'name', x.name,
                                          'level', x.level) ORDER BY a.depth DESC)
        FROM grid_ancestor a JOIN grid x ON x.id = a.ancestor_id
        WHERE a.grid_id = g.id) AS lineage,
       (SELECT count(*) FROM grid_ancestor a JOIN incident i ON i.grid_id = a.grid_id
        WHERE a.ancestor_id = g.id
          AND i.status IN ('reported', 'dispatched', 'in_progress', 'escalated')
          AND i.due_at < coalesce(%(at)s::timestamptz, now())) AS overdue,
       (SELECT row_to_json(s) FROM grid_stat_counts s WHERE s.grid_id = g.id) AS status
FROM g;
