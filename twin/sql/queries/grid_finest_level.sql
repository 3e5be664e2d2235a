-- The finest level that holds units (NULL when the map is empty).
-- params: none
-- columns: level
SELECT g.level FROM grid g JOIN grid_level l ON l.level = g.level
GROUP BY g.level, l.depth ORDER BY l.depth DESC LIMIT 1;
