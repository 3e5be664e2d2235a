-- Move a plan to a state (and set its effective date when given), recording who and why.
-- params: plan_id bigint, to_state text, effective_date date, at timestamptz, actor text, action text, from_state text, comment text
-- columns: (none)
WITH moved AS (
    UPDATE grid_plan SET state = %(to_state)s, updated_at = %(at)s,
                         effective_date = coalesce(%(effective_date)s, effective_date)
    WHERE id = %(plan_id)s
)
INSERT INTO grid_plan_event (plan_id, at, actor, action, from_state, to_state, comment)
VALUES (%(plan_id)s, %(at)s, %(actor)s, %(action)s, %(from_state)s, %(to_state)s, %(comment)s);
