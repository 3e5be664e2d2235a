-- Claim an idempotency key for a case about to be created. A concurrent claim of the same
-- key waits for this one's transaction, then returns no row.
-- params: key text, id bigint, hash text, at timestamptz
-- columns: incident_id
INSERT INTO incident_key (key, incident_id, request_hash, created_at)
VALUES (%(key)s, %(id)s, %(hash)s, %(at)s)
ON CONFLICT (key) DO NOTHING
RETURNING incident_id;
