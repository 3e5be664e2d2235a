-- The units whose state in the grid table differs from their open history row (added,
-- removed or changed in any field, geometry compared byte for byte), optionally only among
-- some codes.
-- params: codes text[] or NULL (every unit)
-- columns: code
WITH now_ AS (
    SELECT g.code, g.name, g.level, p.code AS parent_code, g.officer, g.population,
           g.households, ST_AsEWKB(g.geom) AS wkb
    FROM grid g LEFT JOIN grid p ON p.id = g.parent_id
    WHERE %(codes)s::text[] IS NULL OR g.code = ANY(%(codes)s::text[])
), open_ AS (
    SELECT code, name, level, parent_code, officer, population, households,
           ST_AsEWKB(geom) AS wkb
    FROM grid_history
    WHERE version_to IS NULL AND (%(codes)s::text[] IS NULL OR code = ANY(%(codes)s::text[]))
)
SELECT coalesce(n.code, o.code) AS code
FROM now_ n FULL JOIN open_ o ON o.code = n.code
WHERE n.code IS NULL OR o.code IS NULL
   OR (n.name, n.level, n.parent_code, n.officer, n.population, n.households, n.wkb)
      IS DISTINCT FROM (o.name, o.level, o.parent_code, o.officer, o.population, o.households, o.wkb)
ORDER BY 1;
