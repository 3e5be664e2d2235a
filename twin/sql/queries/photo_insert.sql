-- A photo for a case (the caller holds the case's lock and has checked for the same bytes).
-- params: incident_id bigint, content_type text, bytes bytea, sha256 text, actor text,
--         note text, added_at timestamptz
-- columns: id, content_type, size, sha256, actor, note, added_at
INSERT INTO incident_photo (incident_id, content_type, bytes, sha256, actor, note, added_at)
VALUES (%(incident_id)s, %(content_type)s, %(bytes)s, %(sha256)s, %(actor)s, %(note)s,
        %(added_at)s)
RETURNING id, content_type, octet_length(bytes) AS size, sha256, actor, note, added_at;
