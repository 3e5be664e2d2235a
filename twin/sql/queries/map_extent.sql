-- The city's extent (all its units, whatever levels it has) and each level's typical unit
-- width in degrees of longitude at the city's latitude (for the zoom at which a level is
-- drawn).
-- params: none
-- columns: level, width_deg, xmin, ymin, xmax, ymax (the extent repeats on every row)
WITH extent AS (
    SELECT ST_XMin(e) AS xmin, ST_YMin(e) AS ymin, ST_XMax(e) AS xmax, ST_YMax(e) AS ymax
    FROM (SELECT ST_Extent(geom) AS e FROM grid) x
), widths AS (
    SELECT level,
           avg(sqrt(area_m2)) / (111320 * cos(radians(avg(ST_Y(ST_Centroid(geom))))))
               AS width_deg
    FROM grid GROUP BY level
)
SELECT w.level, w.width_deg, e.xmin, e.ymin, e.xmax, e.ymax FROM widths w, extent e;
