-- The incident lifecycle (DOMAIN.md): reported -> dispatched -> in_progress -> resolved ->
-- closed, with escalation (督办) from any open stage and rework when feedback rejects a
-- resolution. A status may move only along these edges; each move stamps its stage time.
CREATE TABLE incident_transition (
    from_status text NOT NULL REFERENCES incident_status (status),
    to_status   text NOT NULL REFERENCES incident_status (status),
    PRIMARY KEY (from_status, to_status)
);
INSERT INTO incident_transition VALUES
    ('reported', 'dispatched'), ('reported', 'escalated'),
    ('dispatched', 'in_progress'), ('dispatched', 'escalated'),
    ('in_progress', 'resolved'), ('in_progress', 'escalated'),
    ('escalated', 'dispatched'), ('escalated', 'in_progress'), ('escalated', 'resolved'),
    ('resolved', 'closed'), ('resolved', 'in_progress');

CREATE FUNCTION twin_incident_transition() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    allowed text;
BEGIN
    IF NEW.status = OLD.status THEN
        RETURN NEW;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM incident_transition
                   WHERE from_status = OLD.status AND to_status = NEW.status) THEN
        SELECT string_agg(to_status, ', ' ORDER BY to_status) INTO allowed
        FROM incident_transition WHERE from_status = OLD.status;
        RAISE EXCEPTION 'incident %: status cannot move from % to %', OLD.code, OLD.status, NEW.status
            USING ERRCODE = 'check_violation',
                  HINT = format('from %s it may move to: %s', OLD.status, coalesce(allowed, 'nothing'));
    END IF;
    CASE NEW.status
        WHEN 'dispatched' THEN NEW.dispatched_at := coalesce(NEW.dispatched_at, now());
        WHEN 'in_progress' THEN NEW.started_at := coalesce(NEW.started_at, now());
        WHEN 'escalated' THEN NEW.escalated_at := coalesce(NEW.escalated_at, now());
        WHEN 'resolved' THEN NEW.resolved_at := coalesce(NEW.resolved_at, now());
        WHEN 'closed' THEN NEW.closed_at := coalesce(NEW.closed_at, now());
        ELSE NULL;
    END CASE;
    -- Rework reopens the case: its resolution no longer stands.
    IF OLD.status = 'resolved' AND NEW.status = 'in_progress' THEN
        NEW.resolved_at := NULL;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER incident_transition BEFORE UPDATE OF status ON incident
    FOR EACH ROW EXECUTE FUNCTION twin_incident_transition();
