-- The version in force at a moment: the greatest one that took effect by then (before the
-- first took effect, the first).
-- params: when timestamptz
-- columns: version
SELECT coalesce(
    (SELECT version FROM grid_version WHERE effective_at <= %(when)s
     ORDER BY effective_at DESC, version DESC LIMIT 1),
    (SELECT min(version) FROM grid_version)) AS version;
