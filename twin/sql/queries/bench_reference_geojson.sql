-- The naive alternative to a reference tile, for `twin bench --tiles`: the same features (the
-- classes shown at the tile's zoom, in its box) as one GeoJSON FeatureCollection, whole,
-- unsimplified and unclipped, as a plain GeoJSON endpoint would send them.
-- params: west, south, east, north float (the tile's box in degrees),
--   pair_layers text[], pair_classes text[] (the layer/class pairs shown at the zoom)
-- columns: body (the FeatureCollection as text)
SELECT json_build_object(
    'type', 'FeatureCollection',
    'features', coalesce(json_agg(json_build_object(
        'type', 'Feature',
        'geometry', ST_AsGeoJSON(f.geom)::json,
        'properties', json_build_object('layer', f.layer, 'class', f.class, 'name', f.name)
    )), '[]'::json)
)::text AS body
FROM reference_feature f
JOIN unnest(%(pair_layers)s::text[], %(pair_classes)s::text[]) AS s(layer, class)
    USING (layer, class)
WHERE f.geom && ST_MakeEnvelope(%(west)s, %(south)s, %(east)s, %(north)s, 4326);
