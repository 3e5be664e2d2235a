-- Every grid_stat count column: its layer and the predicate over the layer's rows it counts.
-- params: none
-- columns: layer, name, predicate
SELECT layer, name, predicate FROM twin_stat_column ORDER BY layer, name;
