-- Cases for the simulator to move a stage on: n of the 200 newest not yet closed, picked by r.
-- params: n int, r float
-- columns: code, status
SELECT code, status FROM (
    SELECT code, status FROM incident
    WHERE status <> 'closed'  -- open or resolved: closing is the last move there is
    ORDER BY reported_at DESC LIMIT 200
) recent
ORDER BY md5(code || %(r)s::text)
LIMIT %(n)s::int;
