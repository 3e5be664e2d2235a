-- The newest version of the grid map and when it took effect (0 and NULL: none recorded).
-- params: none
-- columns: version, effective_at
SELECT coalesce(max(version), 0) AS version, max(effective_at) AS effective_at
FROM grid_version;
