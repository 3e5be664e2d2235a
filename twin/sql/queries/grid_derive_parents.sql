-- Staged units with no parent code (copied, with their geometry and its index, into
-- twin_stage_orphan) get one by containment: on the nearest level above that
-- shares at least `touches` of the unit's area, the unit sharing the most (ties: lowest
-- code), when it holds at least `holds` of it. Returns the units left without a parent
-- (share NULL: no unit above touches them).
-- params: levels text[] (the loaded levels above), holds float, touches float
-- columns: feature, code, parent, level, share
WITH staged AS (
    SELECT feature, code, geom FROM twin_stage_orphan
), candidate AS (
    -- Driven by the parents (few, large): each probes the orphans' index and is prepared
    -- once for all its tests.
    SELECT st.feature, p.code AS parent, p.level, l.depth, st.share
    FROM grid p
    JOIN grid_level l ON l.level = p.level
    CROSS JOIN LATERAL (
        SELECT st.feature,
               CASE WHEN ST_Covers(p.geom, st.geom) THEN 1.0  -- the common case: no overlay
                    ELSE ST_Area(ST_Intersection(p.geom, st.geom)) / nullif(ST_Area(st.geom), 0)
               END AS share
        FROM twin_stage_orphan st WHERE ST_Intersects(p.geom, st.geom) OFFSET 0
    ) st
    WHERE p.level = ANY(%(levels)s::text[])
), best AS (
    SELECT DISTINCT ON (feature) feature, parent, level, share
    FROM candidate WHERE share >= %(touches)s
    ORDER BY feature, depth DESC, share DESC, parent
), found AS (
    UPDATE twin_stage s SET parent_code = b.parent, derived = true
    FROM best b WHERE s.feature = b.feature AND b.share >= %(holds)s
    RETURNING s.feature
)
SELECT st.feature, st.code, b.parent, b.level, b.share::float8 AS share
FROM staged st LEFT JOIN best b ON b.feature = st.feature
WHERE NOT EXISTS (SELECT 1 FROM found f WHERE f.feature = st.feature)
ORDER BY st.feature;
