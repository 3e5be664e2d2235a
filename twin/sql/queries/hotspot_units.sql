-- The units of one level for hotspot analysis, with outlines as WKB (lon/lat, EPSG:4326).
-- params: level text
-- columns: id, code, name, geom (WKB)
SELECT id, code, name, ST_AsBinary(geom) AS geom FROM grid WHERE level = %(level)s ORDER BY code;
