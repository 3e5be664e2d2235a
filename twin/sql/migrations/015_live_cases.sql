-- Live operations (issue 13): cases created and acted on through twin.ops.
--
-- Stage deadlines: dispatch_due_at and start_due_at join due_at, which stays the resolve
-- deadline every reader uses. Cases loaded from files have only due_at; the other stages are
-- then unbounded.
ALTER TABLE incident
    ADD COLUMN dispatch_due_at timestamptz,
    ADD COLUMN start_due_at    timestamptz,
    ADD COLUMN officer         text,          -- the grid officer it is dispatched to
    ADD COLUMN dispatch_rule   text,          -- the rule that dispatched it (NULL: by hand)
    ADD COLUMN duplicate_of    text;          -- the code of the open case it likely repeats

-- A stage still pending and past due: the sweep's candidates, proportional to the open cases.
CREATE INDEX incident_dispatch_due_idx ON incident (dispatch_due_at)
    WHERE dispatched_at IS NULL AND dispatch_due_at IS NOT NULL
      AND status IN ('reported', 'dispatched', 'in_progress', 'escalated');
CREATE INDEX incident_start_due_idx ON incident (start_due_at)
    WHERE started_at IS NULL AND start_due_at IS NOT NULL
      AND status IN ('reported', 'dispatched', 'in_progress', 'escalated');
-- The feed's newest escalations (督办) of cases still escalated.
CREATE INDEX incident_escalated_idx ON incident (escalated_at DESC) WHERE status = 'escalated';
CREATE INDEX incident_duplicate_of_idx ON incident (duplicate_of) WHERE duplicate_of IS NOT NULL;

-- The timeline of a case: who did what when, with a note. No foreign key: a case merged into
-- another leaves the incident table (below) and keeps its history for when it is unmerged.
CREATE TABLE incident_event (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id bigint NOT NULL,
    at          timestamptz NOT NULL,
    actor       text NOT NULL,
    action      text NOT NULL,
    note        text,
    data        jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX incident_event_case_idx ON incident_event (incident_id, at, id);

-- 督办: a stage of a case is escalated at most once; the primary key is what makes two
-- sweeps running at once agree.
CREATE TABLE incident_escalation (
    incident_id bigint NOT NULL,
    stage       text NOT NULL CHECK (stage IN ('dispatch', 'start', 'resolve')),
    at          timestamptz NOT NULL,
    due_at      timestamptz NOT NULL,
    PRIMARY KEY (incident_id, stage)
);
CREATE INDEX incident_escalation_at_idx ON incident_escalation (at DESC);

-- Idempotency: a create retried with the same key returns the case the first one made.
CREATE TABLE incident_key (
    key          text PRIMARY KEY,
    incident_id  bigint NOT NULL,
    request_hash text NOT NULL,
    created_at   timestamptz NOT NULL
);

-- A case merged into another: its row leaves incident, so every count, list and map sees
-- the merged reports once, as the surviving case; the row is kept here whole (geometry as
-- hex EWKB) and goes back unchanged, with its id and code, when it is unmerged. carried: the
-- cases merged into it before, which moved on with it to the surviving case.
CREATE TABLE incident_merged (
    incident_id bigint PRIMARY KEY,
    code        text NOT NULL UNIQUE,
    into_id     bigint NOT NULL,
    snapshot    jsonb NOT NULL,
    carried     bigint[] NOT NULL DEFAULT '{}',
    merged_at   timestamptz NOT NULL,
    actor       text NOT NULL
);
CREATE INDEX incident_merged_into_idx ON incident_merged (into_id);

-- Codes of cases twin creates.
CREATE SEQUENCE incident_code_seq;

-- Whoever empties incident (a demo reload) empties its history too: the ids restart.
CREATE FUNCTION twin_incident_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE incident_event, incident_escalation, incident_key, incident_merged;
    RETURN NULL;
END $$;
CREATE TRIGGER incident_truncated AFTER TRUNCATE ON incident
    FOR EACH STATEMENT EXECUTE FUNCTION twin_incident_truncated();
