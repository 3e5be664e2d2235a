-- One vector tile of the reference layers: per catalog layer, its features of the classes shown
-- at this zoom, simplified to about a pixel, clipped with a buffer, as one MVT layer named for
-- the catalog layer (the caller concatenates them: MVT layers concatenate into one tile).
-- params: z int, x int, y int, margin float (the buffer as a share of the tile),
--   tolerance float (one pixel, in EPSG:3857 metres), pair_layers text[], pair_classes text[]
--   (the layer/class pairs shown at z), layers text[] (the MVT layers, in order)
-- columns: layer, mvt (bytea; NULL or empty when the layer has nothing here), features
WITH box AS (
    SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS merc,
           -- the tile with its buffer in the table's lon/lat, so the GiST index picks rows
           ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => %(margin)s), 4326)
               AS lonlat
),
shown AS (
    SELECT * FROM unnest(%(pair_layers)s::text[], %(pair_classes)s::text[]) AS s(layer, class)
),
cut AS (
    SELECT f.layer, f.class, f.name,
           -- simplified before cutting: a pixel's detail is all a tile can show
           ST_AsMVTGeom(
               ST_SimplifyPreserveTopology(ST_Transform(f.geom, 3857), %(tolerance)s),
               box.merc, 4096, 64, true
           ) AS geom
    FROM reference_feature f JOIN shown s USING (layer, class) CROSS JOIN box
    WHERE f.geom && box.lonlat
)
SELECT l.layer,
       (SELECT ST_AsMVT(t, l.layer, 4096, 'geom')
        FROM (SELECT c.class, c.name, c.geom FROM cut c
              WHERE c.layer = l.layer AND c.geom IS NOT NULL) t) AS mvt,
       (SELECT count(*) FROM cut c WHERE c.layer = l.layer AND c.geom IS NOT NULL) AS features
FROM unnest(%(layers)s::text[]) WITH ORDINALITY AS l(layer, n)
ORDER BY l.n;
