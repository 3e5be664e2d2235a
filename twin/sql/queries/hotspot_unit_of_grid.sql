-- Which unit of a level each unit of the store lies in (itself at its own level): to roll
-- counts kept per assigned unit (a point's grid_id) up to the level of an analysis.
-- params: level text
-- columns: grid_id, code (of the unit at the level)
SELECT a.grid_id, u.code
FROM grid_ancestor a JOIN grid u ON u.id = a.ancestor_id
WHERE u.level = %(level)s;
