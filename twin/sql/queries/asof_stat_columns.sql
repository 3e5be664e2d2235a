-- Every count column of grid_stat: its point layer, name and predicate.
-- params: none
-- columns: layer, name, predicate
SELECT layer, name, predicate FROM twin_stat_column ORDER BY layer, name;
