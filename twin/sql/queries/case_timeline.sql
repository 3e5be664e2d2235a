-- The timeline of a case, oldest first.
-- params: id bigint
-- columns: at, actor, action, note, data
SELECT at, actor, action, note, data
FROM incident_event
WHERE incident_id = %(id)s
ORDER BY at, id;
