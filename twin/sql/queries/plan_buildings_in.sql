-- The building footprints (reference layer `layer`) whose boxes meet a box, for validation.
-- params: layer, west, south, east, north
-- columns: code, wkb
SELECT code, ST_AsBinary(geom) AS wkb
FROM reference_feature
WHERE layer = %(layer)s
  AND geom && ST_MakeEnvelope(%(west)s, %(south)s, %(east)s, %(north)s, 4326)
ORDER BY code;
