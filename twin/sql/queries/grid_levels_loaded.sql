-- The levels that hold units, finest first (the order in which a point's unit is sought).
-- params: (none)
-- columns: level
SELECT l.level FROM grid_level l
WHERE EXISTS (SELECT 1 FROM grid g WHERE g.level = l.level)
ORDER BY l.depth DESC;
