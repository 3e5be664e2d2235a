-- A plan's state changes, oldest first.
-- params: plan_id bigint
-- columns: at, actor, action, from_state, to_state, comment
SELECT at, actor, action, from_state, to_state, comment
FROM grid_plan_event WHERE plan_id = %(plan_id)s ORDER BY at, id;
