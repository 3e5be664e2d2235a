-- Today's flow for one unit or the whole city: reported and closed since local midnight.
-- params: id bigint or NULL (city), today timestamptz
-- columns: new_today, closed_today
WITH units AS (
    SELECT grid_id FROM grid_ancestor WHERE ancestor_id = %(id)s::bigint
)
SELECT
    (SELECT count(*) FROM incident i WHERE i.reported_at >= %(today)s::timestamptz
       AND (%(id)s::bigint IS NULL OR i.grid_id IN (SELECT grid_id FROM units))) AS new_today,
    (SELECT count(*) FROM incident i WHERE i.closed_at >= %(today)s::timestamptz
       AND (%(id)s::bigint IS NULL OR i.grid_id IN (SELECT grid_id FROM units))) AS closed_today;
