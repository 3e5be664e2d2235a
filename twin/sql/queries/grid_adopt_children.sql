-- Units of finer levels that stand under the city, or under a unit coarser than the given
-- level, move under the unit of that level holding at least `holds` of their area (ties:
-- lowest code), when it lies under their present parent: a level loaded after the levels
-- below it takes its place between them.
-- params: level text, holds float
-- columns: (none: an UPDATE)
WITH here AS (
    SELECT depth FROM grid_level WHERE level = %(level)s::text
), orphan AS MATERIALIZED (
    SELECT c.id FROM grid c
    JOIN grid_level cl ON cl.level = c.level
    LEFT JOIN grid cp ON cp.id = c.parent_id
    LEFT JOIN grid_level pl ON pl.level = cp.level
    WHERE cl.depth > (SELECT depth FROM here)
      AND (c.parent_id IS NULL OR pl.depth < (SELECT depth FROM here))
), best AS (
    -- Driven by the new level's units (few, large; each prepared once for its tests), and
    -- skipped at once when there is no unit to adopt (the usual load, parents first).
    SELECT DISTINCT ON (o.id) o.id, o.parent_id, p.id AS new_parent, o.share
    FROM grid p
    CROSS JOIN LATERAL (
        SELECT c.id, c.parent_id,
               CASE WHEN ST_Covers(p.geom, c.geom) THEN 1.0
                    ELSE ST_Area(ST_Intersection(p.geom, c.geom)) / nullif(ST_Area(c.geom), 0)
               END AS share
        FROM grid c
        WHERE c.id IN (SELECT id FROM orphan) AND ST_Intersects(p.geom, c.geom)
        OFFSET 0
    ) o
    WHERE p.level = %(level)s::text AND EXISTS (SELECT 1 FROM orphan)
    ORDER BY o.id, o.share DESC, p.code
)
UPDATE grid g SET parent_id = b.new_parent
FROM best b
WHERE g.id = b.id AND b.share >= %(holds)s
  AND (b.parent_id IS NULL OR EXISTS (SELECT 1 FROM grid_ancestor a
                                      WHERE a.grid_id = b.new_parent
                                        AND a.ancestor_id = b.parent_id));
