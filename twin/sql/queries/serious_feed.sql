-- The feed: the newest serious cases (severity 1 or 2) and the newest escalations (督办) of
-- cases still escalated (any severity), newest first by when they came up (an escalated
-- case: when it was escalated), with the grid they lie in.
-- params: limit int
-- columns: id, code, category, severity, status, reported_at, at, escalated, grid_code,
--          grid_name, lon, lat
WITH picked AS (
    (SELECT i.id FROM incident i WHERE i.severity <= 2
     ORDER BY i.reported_at DESC, i.id DESC LIMIT %(limit)s::int)
    UNION
    (SELECT i.id FROM incident i WHERE i.status = 'escalated'
     ORDER BY i.escalated_at DESC, i.id DESC LIMIT %(limit)s::int)
), rows AS (
    SELECT i.*, i.status = 'escalated' AND i.escalated_at IS NOT NULL AS escalated
    FROM picked p JOIN incident i ON i.id = p.id
)
SELECT i.id, i.code, i.category, i.severity, i.status, i.reported_at,
       CASE WHEN i.escalated THEN greatest(i.reported_at, i.escalated_at)
            ELSE i.reported_at END AS at,
       i.escalated, g.code AS grid_code, g.name AS grid_name,
       ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat
FROM rows i LEFT JOIN grid g ON g.id = i.grid_id
ORDER BY at DESC, i.id DESC
LIMIT %(limit)s::int;
