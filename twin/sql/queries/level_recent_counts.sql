-- Cases reported since a moment, per unit of one level (units with none are absent).
-- params: level text, since timestamptz
-- columns: code, n
SELECT g.code, count(*) AS n
FROM incident i
JOIN grid_ancestor a ON a.grid_id = i.grid_id
JOIN grid g ON g.id = a.ancestor_id AND g.level = %(level)s::text
WHERE i.reported_at >= %(since)s::timestamptz
GROUP BY g.code;
