-- How many units the counters are kept for (the grids and the unassigned row).
-- params: none
-- columns: units
SELECT count(*) + 1 AS units FROM grid;
