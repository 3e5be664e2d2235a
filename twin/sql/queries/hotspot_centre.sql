-- The centre of all units' extent: the origin of the local metric projection of an analysis.
-- params: none
-- columns: lon, lat (NULL when there are no units)
SELECT (ST_XMin(box) + ST_XMax(box)) / 2 AS lon, (ST_YMin(box) + ST_YMax(box)) / 2 AS lat
FROM (SELECT ST_Extent(geom) AS box FROM grid) e;
