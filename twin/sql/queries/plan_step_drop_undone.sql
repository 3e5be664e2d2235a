-- Drop the steps a new edit can no longer redo. (Its own statement: a data-modifying CTE's
-- deletions are invisible to the rest of its statement.)
-- params: plan_id bigint
-- columns: (none)
DELETE FROM grid_plan_step WHERE plan_id = %(plan_id)s AND undone;
