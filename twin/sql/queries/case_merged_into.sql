-- The case a merged case lives under now.
-- params: code text
-- columns: into_code
SELECT i.code AS into_code
FROM incident_merged m JOIN incident i ON i.id = m.into_id
WHERE m.code = %(code)s;
