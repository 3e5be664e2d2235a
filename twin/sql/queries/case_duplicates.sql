-- The reports linked to a case: open cases flagged as its likely duplicates (merged false)
-- and cases merged into it (merged true), oldest first.
-- params: id bigint, code text
-- columns: id, code, source, category, status, reported_at, description, merged, lon, lat
SELECT i.id, i.code, i.source, i.category, i.status, i.reported_at, i.description, false AS merged,
       ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat
FROM incident i
WHERE i.duplicate_of = %(code)s
UNION ALL
SELECT m.incident_id, m.code, m.snapshot ->> 'source', m.snapshot ->> 'category', m.snapshot ->> 'status',
       (m.snapshot ->> 'reported_at')::timestamptz, m.snapshot ->> 'description', true,
       ST_X(g.geom), ST_Y(g.geom)
FROM incident_merged m
CROSS JOIN LATERAL (SELECT (m.snapshot ->> 'geom')::geometry AS geom) g
WHERE m.into_id = %(id)s
ORDER BY reported_at, code;
