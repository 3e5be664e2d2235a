-- One level's units as WKB, for the in-memory assignment's index.
-- params: level
-- columns: id, wkb
SELECT id, ST_AsBinary(geom) AS wkb FROM grid WHERE level = %(level)s ORDER BY id;
