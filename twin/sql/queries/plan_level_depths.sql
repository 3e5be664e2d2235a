-- Every level of the hierarchy with its depth (1: the coarsest).
-- params: (none)
-- columns: level, depth
SELECT level, depth FROM grid_level ORDER BY depth;
