-- The photos of a case, oldest first, without their bytes.
-- params: incident_id bigint
-- columns: id, content_type, size, sha256, actor, note, added_at
SELECT id, content_type, octet_length(bytes) AS size, sha256, actor, note, added_at
FROM incident_photo WHERE incident_id = %(incident_id)s ORDER BY added_at, id;
