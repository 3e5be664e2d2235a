-- Merge case :id into case :into_id: the case's row moves whole into incident_merged (the
-- cases merged into it before move on to the surviving case, remembered as carried), then
-- leaves incident, so the store counts the reports once, as the surviving case.
-- params: id bigint, into_id bigint, at timestamptz, actor text
-- columns: (none)
WITH kept AS (
    INSERT INTO incident_merged (incident_id, code, into_id, snapshot, carried, merged_at, actor)
    SELECT i.id, i.code, %(into_id)s,
           (to_jsonb(i) - 'geom') || jsonb_build_object('geom', encode(ST_AsEWKB(i.geom), 'hex')),
           ARRAY(SELECT m.incident_id FROM incident_merged m WHERE m.into_id = i.id
                 ORDER BY m.incident_id),
           %(at)s, %(actor)s
    FROM incident i WHERE i.id = %(id)s
    RETURNING incident_id
), carried AS (
    UPDATE incident_merged m SET into_id = %(into_id)s WHERE m.into_id = %(id)s
)
DELETE FROM incident i USING kept WHERE i.id = kept.incident_id;
