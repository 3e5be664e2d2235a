-- The latest step of a plan not yet undone.
-- params: plan_id bigint
-- columns: step, action, actor
SELECT step, action, actor FROM grid_plan_step
WHERE plan_id = %(plan_id)s AND NOT undone ORDER BY step DESC LIMIT 1;
