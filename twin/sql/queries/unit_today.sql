-- Today's flow for one unit or the whole city: cases reported since local midnight, per
-- category (their sum is the new cases of today), and cases closed since then. One read of
-- today's reports serves the tiles and the trend's last bar (at metro size today holds
-- 180,000 cases: a second pass, or a date_trunc per row, cost more than the rest of a refresh).
-- params: id bigint or NULL (city), today timestamptz
-- columns: reported (json object: category -> count; NULL: none), closed_today
WITH units AS (
    SELECT grid_id FROM grid_ancestor WHERE ancestor_id = %(id)s::bigint
)
SELECT
    (SELECT json_object_agg(c.category, c.n) FROM (
        SELECT i.category, count(*) AS n FROM incident i
        WHERE i.reported_at >= %(today)s::timestamptz
          AND (%(id)s::bigint IS NULL OR i.grid_id IN (SELECT grid_id FROM units))
        GROUP BY i.category) c) AS reported,
    (SELECT count(*) FROM incident i WHERE i.closed_at >= %(today)s::timestamptz
       AND (%(id)s::bigint IS NULL OR i.grid_id IN (SELECT grid_id FROM units))) AS closed_today;
