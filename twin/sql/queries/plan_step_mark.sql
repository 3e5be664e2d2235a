-- Mark a step undone or redone.
-- params: plan_id bigint, step integer, undone boolean
-- columns: (none)
UPDATE grid_plan_step SET undone = %(undone)s WHERE plan_id = %(plan_id)s AND step = %(step)s;
