-- How many units each level has.
-- params: none
-- columns: level, n
SELECT level, count(*) AS n FROM grid GROUP BY level;
