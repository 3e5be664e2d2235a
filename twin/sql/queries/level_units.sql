-- The units of one level (or one parent's children) as the status shows them, in code order,
-- and the map they are of: these columns change only with the map (level_counts has the
-- counts). The columns shown, not the outlines: a level's geometry is megabytes.
-- params: level text, parent_id bigint or NULL (all of the level)
-- columns: map_version, id, code, name, level, parent_id, officer, population, households,
--          area_m2
SELECT (SELECT map_version FROM twin_change_clock) AS map_version,
       g.id, g.code, g.name, g.level, g.parent_id, g.officer, g.population, g.households,
       g.area_m2
FROM grid g
WHERE g.level = %(level)s
  AND (%(parent_id)s::bigint IS NULL OR g.parent_id = %(parent_id)s::bigint)
  AND EXISTS (SELECT 1 FROM grid_stat s WHERE s.grid_id = g.id)
ORDER BY g.code;
