-- A new version after the newest, taking effect no earlier than the newest did (so the
-- order of effect is the order of versions).
-- params: effective_at timestamptz or NULL (now), kind text, plan_name text or NULL, note text
-- columns: version, effective_at
INSERT INTO grid_version (version, effective_at, kind, plan_name, note)
SELECT coalesce(max(version), 0) + 1,
       greatest(coalesce(%(effective_at)s::timestamptz, now()), max(effective_at)),
       %(kind)s, %(plan_name)s, %(note)s
FROM grid_version
RETURNING version, effective_at;
