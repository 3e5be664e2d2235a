-- A cheap fingerprint of the grid table: any insert, update or delete changes it, so cached
-- outlines expire. (xmin: the newest writing transaction among the rows.)
-- params: none
-- columns: n, newest
SELECT count(*) AS n, coalesce(max(xmin::text::bigint), 0) AS newest FROM grid;
