-- The case a claimed idempotency key made: its code (merged away: the case it was merged
-- into, which always exists, since a merge re-points the cases merged before) and the hash
-- of the request that claimed it.
-- params: key text
-- columns: request_hash, code
SELECT k.request_hash, coalesce(i.code, x.code) AS code
FROM incident_key k
LEFT JOIN incident i ON i.id = k.incident_id
LEFT JOIN incident_merged m ON i.id IS NULL AND m.incident_id = k.incident_id
LEFT JOIN incident x ON x.id = m.into_id
WHERE k.key = %(key)s;
