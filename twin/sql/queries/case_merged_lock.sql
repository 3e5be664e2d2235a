-- A merged case about to be unmerged, locked, with the case it lives under.
-- params: code text
-- columns: id, into_id, into_code
SELECT m.incident_id AS id, m.into_id, i.code AS into_code
FROM incident_merged m JOIN incident i ON i.id = m.into_id
WHERE m.code = %(code)s
FOR UPDATE OF m;
