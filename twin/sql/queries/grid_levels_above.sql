-- The levels coarser than one level that hold units, nearest first.
-- params: level text
-- columns: level
SELECT l.level FROM grid_level l
WHERE l.depth < (SELECT depth FROM grid_level WHERE level = %(level)s::text)
  AND EXISTS (SELECT 1 FROM grid g WHERE g.level = l.level)
ORDER BY l.depth DESC;
