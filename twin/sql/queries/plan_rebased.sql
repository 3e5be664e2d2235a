-- Move a plan onto a newer base version.
-- params: plan_id bigint, base_version integer
-- columns: (none)
UPDATE grid_plan SET base_version = %(base_version)s WHERE id = %(plan_id)s;
