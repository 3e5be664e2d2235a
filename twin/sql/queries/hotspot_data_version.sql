-- What a cached hotspot result depends on: the point table's change counter and the grid
-- table's fingerprint (as map_grid_version). Read before the points, never after.
-- params: layer text (the point table)
-- columns: layer_version, grids, grids_newest
SELECT coalesce((SELECT version FROM twin_layer_version WHERE layer = %(layer)s), -1)
           AS layer_version,
       count(*) AS grids, coalesce(max(xmin::text::bigint), 0) AS grids_newest
FROM grid;
