-- One photo of a case, with its bytes.
-- params: incident_id bigint, id bigint
-- columns: content_type, bytes, sha256
SELECT content_type, bytes, sha256 FROM incident_photo
WHERE incident_id = %(incident_id)s AND id = %(id)s;
