-- The moment before which grid_stat counts the open cases that are due (migration 020).
-- params: none
-- columns: at timestamptz
SELECT at FROM twin_overdue_checkpoint WHERE layer = 'incident';
