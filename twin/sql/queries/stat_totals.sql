-- Each tracked point layer's total column of grid_stat (cameras, incidents, ...), by name.
-- params: none
-- columns: name
SELECT name FROM twin_stat_column WHERE predicate = 'true' ORDER BY name;
