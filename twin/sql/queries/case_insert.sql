-- A new case, written through the store's triggers (grid assignment, counts, lifecycle).
-- params: id bigint, code text, category text, severity int, source text, status text,
--         reported_at, dispatched_at (NULL: not dispatched), dispatch_due_at, start_due_at,
--         due_at timestamptz, department, officer, dispatch_rule, duplicate_of,
--         description text or NULL, lon, lat float
-- columns: id, grid_id
INSERT INTO incident (id, code, category, severity, source, status, reported_at,
                      dispatched_at, dispatch_due_at, start_due_at, due_at, department,
                      officer, dispatch_rule, duplicate_of, description, geom)
VALUES (%(id)s, %(code)s, %(category)s, %(severity)s, %(source)s, %(status)s,
        %(reported_at)s, %(dispatched_at)s, %(dispatch_due_at)s, %(start_due_at)s, %(due_at)s,
        %(department)s, %(officer)s, %(dispatch_rule)s, %(duplicate_of)s, %(description)s,
        ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326))
RETURNING id, grid_id;
