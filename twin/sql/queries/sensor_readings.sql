-- Apply a batch of sensor readings (one per sensor, the newest of the batch): a reading
-- older than the one a sensor holds changes nothing, so a late retry never rolls it back.
-- A reading with no status leaves the status, except that a sensor that reads is not offline.
-- params: codes text[], values float8[], statuses text[], ats timestamptz[]
-- columns: code
UPDATE sensor s
SET last_value = coalesce(r.value, s.last_value),
    last_reading_at = r.at,
    status = coalesce(r.status, CASE WHEN s.status = 'offline' THEN 'normal' ELSE s.status END)
FROM unnest(%(codes)s::text[], %(values)s::float8[], %(statuses)s::text[], %(ats)s::timestamptz[])
     AS r(code, value, status, at)
WHERE s.code = r.code
  AND (s.last_reading_at IS NULL OR s.last_reading_at <= r.at)
RETURNING s.code;
