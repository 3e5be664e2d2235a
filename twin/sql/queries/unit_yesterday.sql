-- Yesterday's flow up to the same time of day, for one unit or the whole city: the baseline
-- of today's tiles (a whole yesterday would make every morning look like a drop).
-- params: id bigint or NULL (city), start timestamptz (yesterday's local midnight),
--         until timestamptz (the same local time yesterday)
-- columns: new_yesterday, closed_yesterday
WITH units AS (
    SELECT grid_id FROM grid_ancestor WHERE ancestor_id = %(id)s::bigint
)
SELECT
    (SELECT count(*) FROM incident i
     WHERE i.reported_at >= %(start)s::timestamptz AND i.reported_at < %(until)s::timestamptz
       AND (%(id)s::bigint IS NULL OR i.grid_id IN (SELECT grid_id FROM units)))
        AS new_yesterday,
    (SELECT count(*) FROM incident i
     WHERE i.closed_at >= %(start)s::timestamptz AND i.closed_at < %(until)s::timestamptz
       AND (%(id)s::bigint IS NULL OR i.grid_id IN (SELECT grid_id FROM units)))
        AS closed_yesterday;
