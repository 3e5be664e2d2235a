-- The parents the staged grids name, with their geometry.
-- params: parent_level text
-- columns: code, geom (WKB)
SELECT p.code, ST_AsBinary(p.geom) AS geom
FROM grid p
WHERE p.level = %(parent_level)s AND p.code IN (SELECT parent_code FROM twin_stage)
ORDER BY p.code;
