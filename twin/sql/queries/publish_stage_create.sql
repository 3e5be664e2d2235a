-- The stage of a change set's units, read by the publish_* queries; gone at commit.
-- params: none
-- columns: none
CREATE TEMP TABLE twin_publish_stage (
    code text PRIMARY KEY, name text, level text, depth smallint, parent_code text,
    officer text, population int, households int, geom geometry(MultiPolygon, 4326)
) ON COMMIT DROP;
