-- Some units of the map in force (any level): cameras, sensors and open cases of each with
-- its whole subtree (grid_stat), and the ids of its subtree's units (to sum what they own).
-- params: codes text[]
-- columns: code, cameras, sensors, open, subtree (bigint[]; codes not in grid: no row)
SELECT g.code, s.cameras, s.sensors, s.open, array_agg(a.grid_id) AS subtree
FROM grid g
JOIN grid_stat s ON s.grid_id = g.id
JOIN grid_ancestor a ON a.ancestor_id = g.id
WHERE g.code = ANY(%(codes)s::text[])
GROUP BY g.code, s.cameras, s.sensors, s.open;
