-- Dissolve the staged grid features sharing a code into the first of them (--merge-parts):
-- it keeps its attributes and takes the union of their geometries; the others go.
-- params: none
-- columns: none
WITH parts AS (
    SELECT code, min(feature) AS first,
           ST_Multi(ST_CollectionExtract(ST_Union(ST_GeomFromWKB(decode(wkb, 'hex'), 4326)), 3))
               AS geom
    FROM twin_stage WHERE code IS NOT NULL
    GROUP BY code HAVING count(*) > 1
), kept AS (
    UPDATE twin_stage s SET wkb = encode(ST_AsBinary(p.geom), 'hex')
    FROM parts p WHERE s.feature = p.first
    RETURNING s.feature
)
DELETE FROM twin_stage s USING parts p
WHERE s.code = p.code AND s.feature <> p.first;
