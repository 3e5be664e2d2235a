-- Push an edit onto a plan's undo stack, dropping the steps it can no longer redo.
-- params: plan_id bigint, action text, actor text, at timestamptz
-- columns: step
WITH dropped AS (
    DELETE FROM grid_plan_step WHERE plan_id = %(plan_id)s AND undone
)
INSERT INTO grid_plan_step (plan_id, step, action, actor, at)
SELECT %(plan_id)s, coalesce(max(step), 0) + 1, %(action)s, %(actor)s, %(at)s
FROM grid_plan_step WHERE plan_id = %(plan_id)s AND NOT undone
RETURNING step;
