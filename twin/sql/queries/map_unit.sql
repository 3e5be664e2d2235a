-- One unit's outline and bounds.
-- params: code text
-- columns: code, geom (WKB), xmin, ymin, xmax, ymax
SELECT code, ST_AsBinary(geom) AS geom,
       ST_XMin(geom) AS xmin, ST_YMin(geom) AS ymin, ST_XMax(geom) AS xmax, ST_YMax(geom) AS ymax
FROM grid WHERE code = %(code)s::text;
