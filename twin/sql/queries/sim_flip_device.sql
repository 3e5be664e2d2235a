-- The simulator raises or clears one device: a sensor alarm or a camera outage (sensor true:
-- a sensor). Raising picks a healthy device, clearing one that is down, r choosing which; so
-- the number down wanders around where it started instead of creeping up.
-- params: sensor bool, raise bool, r float, now timestamptz
-- columns: changed
WITH s AS (
    SELECT id FROM sensor
    WHERE %(sensor)s AND status = CASE WHEN %(raise)s THEN 'normal' ELSE 'alarm' END
    ORDER BY md5(id::text || %(r)s::text) LIMIT 1
), sensed AS (
    UPDATE sensor SET status = CASE WHEN %(raise)s THEN 'alarm' ELSE 'normal' END,
                      last_reading_at = %(now)s
    WHERE id IN (SELECT id FROM s) RETURNING 1
), c AS (
    SELECT id FROM camera
    WHERE NOT %(sensor)s AND status = CASE WHEN %(raise)s THEN 'online' ELSE 'offline' END
    ORDER BY md5(id::text || %(r)s::text) LIMIT 1
), seen AS (
    UPDATE camera SET status = CASE WHEN %(raise)s THEN 'offline' ELSE 'online' END,
                      last_seen = %(now)s
    WHERE id IN (SELECT id FROM c) RETURNING 1
)
SELECT (SELECT count(*) FROM sensed) + (SELECT count(*) FROM seen) AS changed;
