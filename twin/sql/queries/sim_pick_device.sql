-- The device the simulator raises or clears next: a sensor alarm or a camera outage (sensor
-- true: a sensor). Raising picks a healthy device, clearing one that is down, r choosing
-- which; so the number down wanders around where it started instead of creeping up. The
-- change itself goes through the API's batch endpoints.
-- params: sensor bool, raise bool, r float
-- columns: code
(SELECT code FROM sensor
 WHERE %(sensor)s AND status = CASE WHEN %(raise)s THEN 'normal' ELSE 'alarm' END
 ORDER BY md5(id::text || %(r)s::text) LIMIT 1)
UNION ALL
(SELECT code FROM camera
 WHERE NOT %(sensor)s AND status = CASE WHEN %(raise)s THEN 'online' ELSE 'offline' END
 ORDER BY md5(id::text || %(r)s::text) LIMIT 1);
