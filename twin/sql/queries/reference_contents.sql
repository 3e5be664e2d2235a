-- What the reference table holds, per layer, class and geometry type (`twin layers check`
-- and `twin db verify` compare it with the catalog's reference layers).
-- params: none
-- columns: layer, class, geometry_type, features
SELECT layer, class, GeometryType(geom) AS geometry_type, count(*) AS features
FROM reference_feature
GROUP BY layer, class, GeometryType(geom)
ORDER BY layer, class, geometry_type;
