-- The plans scheduled to take effect, earliest date first.
-- params: none
-- columns: name, effective_date
SELECT name, effective_date FROM grid_plan
WHERE state = 'scheduled'
ORDER BY effective_date, id;
