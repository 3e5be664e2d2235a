-- Undo a merge: the case's row goes back into incident as it was (its grid assigned anew by
-- the store's trigger, its counts added back), the cases it carried return under it.
-- params: id bigint
-- columns: (none)
WITH gone AS (
    DELETE FROM incident_merged m WHERE m.incident_id = %(id)s
    RETURNING m.snapshot, m.carried, m.into_id
), back AS (
    UPDATE incident_merged m SET into_id = %(id)s
    FROM gone g WHERE m.incident_id = ANY(g.carried) AND m.into_id = g.into_id
)
INSERT INTO incident SELECT r.* FROM gone g, jsonb_populate_record(NULL::incident, g.snapshot) r;
