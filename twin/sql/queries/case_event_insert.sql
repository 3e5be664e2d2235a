-- One entry on a case's timeline.
-- params: id bigint, at timestamptz, actor, action, note text, data jsonb
-- columns: (none)
INSERT INTO incident_event (incident_id, at, actor, action, note, data)
VALUES (%(id)s, %(at)s, %(actor)s, %(action)s, %(note)s, %(data)s);
