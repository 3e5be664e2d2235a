-- One batch of the escalation sweep (督办): every pending stage of an open case past its due
-- time and not yet escalated is escalated once — a row in incident_escalation (whose key
-- makes a second sweep's insert of the same stage a no-op), the case moved to escalated
-- (through the lifecycle trigger; the counters follow), and an entry on its timeline.
-- Cases another transaction holds are skipped (the next sweep takes them); the stage
-- conditions are read from the locked, current row.
-- params: now timestamptz, limit int
-- columns: id, code, stage, due_at, category, severity, previous_status
WITH locked AS (
    SELECT i.id, i.code, i.status, i.category, i.severity, i.dispatch_due_at, i.dispatched_at,
           i.start_due_at, i.started_at, i.due_at
    FROM incident i
    WHERE i.status IN ('reported', 'dispatched', 'in_progress', 'escalated')
      AND ((i.dispatched_at IS NULL AND i.dispatch_due_at < %(now)s
            AND NOT EXISTS (SELECT 1 FROM incident_escalation e
                            WHERE e.incident_id = i.id AND e.stage = 'dispatch'))
        OR (i.started_at IS NULL AND i.start_due_at < %(now)s
            AND NOT EXISTS (SELECT 1 FROM incident_escalation e
                            WHERE e.incident_id = i.id AND e.stage = 'start'))
        OR (i.due_at < %(now)s
            AND NOT EXISTS (SELECT 1 FROM incident_escalation e
                            WHERE e.incident_id = i.id AND e.stage = 'resolve')))
    ORDER BY i.id
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
), due AS (
    SELECT l.id, s.stage, s.due_at
    FROM locked l
    CROSS JOIN LATERAL (VALUES ('dispatch', l.dispatch_due_at, l.dispatched_at),
                               ('start', l.start_due_at, l.started_at),
                               ('resolve', l.due_at, NULL)) s (stage, due_at, done)
    WHERE s.done IS NULL AND s.due_at < %(now)s
), won AS (
    INSERT INTO incident_escalation (incident_id, stage, at, due_at)
    SELECT id, stage, %(now)s, due_at FROM due ORDER BY id, stage
    ON CONFLICT (incident_id, stage) DO NOTHING
    RETURNING incident_id, stage, due_at
), moved AS (
    UPDATE incident i SET status = 'escalated', escalated_at = %(now)s
    WHERE i.id IN (SELECT incident_id FROM won)
    RETURNING i.id
), logged AS (
    INSERT INTO incident_event (incident_id, at, actor, action, note, data)
    SELECT w.incident_id, %(now)s, 'sweep', 'escalate', NULL,
           jsonb_build_object('stage', w.stage, 'due_at', w.due_at, 'from', l.status)
    FROM won w JOIN locked l ON l.id = w.incident_id
    ORDER BY w.incident_id, w.stage
)
SELECT l.id, l.code, w.stage, w.due_at, l.category, l.severity, l.status AS previous_status
FROM won w JOIN locked l ON l.id = w.incident_id
ORDER BY l.id, w.stage;
