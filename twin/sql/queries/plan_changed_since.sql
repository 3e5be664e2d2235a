-- The revisions after a given one that wrote any of the given units.
-- params: plan_id bigint, since integer, codes text[]
-- columns: revision, actor, action, at, codes (the given ones it wrote)
SELECT revision, actor, action, at,
       ARRAY(SELECT c FROM unnest(codes) c WHERE c = ANY(%(codes)s) ORDER BY c) AS codes
FROM grid_plan_revision
WHERE plan_id = %(plan_id)s AND revision > %(since)s AND codes && %(codes)s
ORDER BY revision;
