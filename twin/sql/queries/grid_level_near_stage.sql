-- Stored grids of the staged level that the file does not replace, near the staged ones:
-- the settled neighbours that tolerance repairs snap to and never change.
-- params: level text
-- columns: code, geom (WKB)
WITH extent AS (
    SELECT ST_Expand(ST_SetSRID(ST_Extent(ST_GeomFromWKB(decode(wkb, 'hex'), 4326))::geometry,
                                4326), 0.01) AS box
    FROM twin_stage
)
SELECT g.code, ST_AsBinary(g.geom) AS geom
FROM grid g, extent e
WHERE g.level = %(level)s AND g.geom && e.box
  AND NOT EXISTS (SELECT 1 FROM twin_stage s WHERE s.code = g.code)
ORDER BY g.code;
