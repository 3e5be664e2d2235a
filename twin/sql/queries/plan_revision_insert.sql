-- Record a new revision of a plan's units, and make it the plan's.
-- params: plan_id bigint, revision integer, at timestamptz, actor text, action text, codes text[]
-- columns: (none)
WITH bumped AS (
    UPDATE grid_plan SET revision = %(revision)s, updated_at = %(at)s WHERE id = %(plan_id)s
)
INSERT INTO grid_plan_revision (plan_id, revision, at, actor, action, codes)
VALUES (%(plan_id)s, %(revision)s, %(at)s, %(actor)s, %(action)s, %(codes)s);
