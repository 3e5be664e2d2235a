-- Every grid of one level with its outline, as WKB.
-- params: level text
-- columns: id, code, name, parent_id, geom (WKB)
SELECT id, code, name, parent_id, ST_AsBinary(geom) AS geom
FROM grid WHERE level = %(level)s ORDER BY code;
