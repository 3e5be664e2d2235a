-- Push an edit onto a plan's undo stack (after plan_step_drop_undone).
-- params: plan_id bigint, action text, actor text, at timestamptz
-- columns: step
INSERT INTO grid_plan_step (plan_id, step, action, actor, at)
SELECT %(plan_id)s, coalesce(max(step), 0) + 1, %(action)s, %(actor)s, %(at)s
FROM grid_plan_step WHERE plan_id = %(plan_id)s
RETURNING step;
