-- Apply a batch of camera heartbeats (one per camera, the newest of the batch): a heartbeat
-- older than the camera's last_seen changes nothing, so a late retry never rolls it back.
-- params: codes text[], statuses text[], ats timestamptz[]
-- columns: code
UPDATE camera c
SET last_seen = r.at,
    status = r.status
FROM unnest(%(codes)s::text[], %(statuses)s::text[], %(ats)s::timestamptz[]) AS r(code, status, at)
WHERE c.code = r.code
  AND (c.last_seen IS NULL OR c.last_seen <= r.at)
RETURNING c.code;
