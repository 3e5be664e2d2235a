-- The units of one level in a version, with their areas, by code.
-- params: version int, level text
-- columns: code, name, level, parent_code, officer, population, households, area_m2
SELECT code, name, level, parent_code, officer, population, households,
       ST_Area(geom::geography) AS area_m2
FROM grid_history
WHERE version_from <= %(version)s AND (version_to IS NULL OR version_to > %(version)s)
  AND level = %(level)s
ORDER BY code;
