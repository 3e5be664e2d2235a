-- grid_stat's count columns in the order grid_stat.counts packs them (migration 027).
-- params: none
-- columns: names (text[])
SELECT twin_stat_counts_columns() AS names;
