-- The earliest undone step of a plan.
-- params: plan_id bigint
-- columns: step, action, actor
SELECT step, action, actor FROM grid_plan_step
WHERE plan_id = %(plan_id)s AND undone ORDER BY step LIMIT 1;
