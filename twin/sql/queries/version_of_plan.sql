-- The version a plan's publication made (NULL: never published, or it changed nothing).
-- params: name text
-- columns: version
SELECT min(version) AS version FROM grid_version WHERE plan_name = %(name)s;
