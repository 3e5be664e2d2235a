-- Forget a plan's change to one unit (the unit is again as in force).
-- params: plan_id bigint, code text
-- columns: (none)
DELETE FROM grid_plan_unit WHERE plan_id = %(plan_id)s AND code = %(code)s;
