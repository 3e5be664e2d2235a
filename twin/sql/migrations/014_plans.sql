-- Plans: named drafts of changes to the grid map. A plan stores only the units it changes;
-- the proposed map is the units in force in its scope with these changes laid over them.
CREATE TABLE grid_plan (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text NOT NULL UNIQUE CHECK (name <> ''),
    scope_code      text,            -- NULL: the whole city; else the subtree of this unit
    base_version    integer NOT NULL,
    state           text NOT NULL DEFAULT 'draft' CHECK (state IN
                        ('draft', 'submitted', 'approved', 'scheduled', 'published', 'rejected')),
    effective_date  date,
    revision        integer NOT NULL DEFAULT 0,  -- bumped by every write to the plan's units
    author          text NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);

-- One changed unit of a plan: its whole proposed state ('upsert') or its removal.
-- base_digest fingerprints the unit in force when the plan first touched it (NULL: it did not
-- exist), so a rebase can tell whether a later version changed the same unit.
CREATE TABLE grid_plan_unit (
    plan_id      bigint NOT NULL REFERENCES grid_plan (id) ON DELETE CASCADE,
    code         text NOT NULL CHECK (code <> ''),
    op           text NOT NULL CHECK (op IN ('upsert', 'remove')),
    name         text,
    level        text REFERENCES grid_level (level),
    parent_code  text,
    officer      text,
    population   integer CHECK (population >= 0),
    households   integer CHECK (households >= 0),
    geom         geometry(Geometry, 4326),
    revision     integer NOT NULL,  -- the plan revision that last wrote this unit
    base_digest  text,
    PRIMARY KEY (plan_id, code),
    CHECK (op = 'remove' OR (name IS NOT NULL AND level IS NOT NULL AND geom IS NOT NULL))
);

-- Who moved the plan between states, when, and why.
CREATE TABLE grid_plan_event (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id     bigint NOT NULL REFERENCES grid_plan (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL,
    actor       text NOT NULL,
    action      text NOT NULL,
    from_state  text,
    to_state    text NOT NULL,
    comment     text NOT NULL DEFAULT ''
);
CREATE INDEX grid_plan_event_plan_idx ON grid_plan_event (plan_id, at);

-- Every revision of a plan's units: who wrote which units, so a stale edit can be told what
-- changed since the revision it was based on.
CREATE TABLE grid_plan_revision (
    plan_id   bigint NOT NULL REFERENCES grid_plan (id) ON DELETE CASCADE,
    revision  integer NOT NULL,
    at        timestamptz NOT NULL,
    actor     text NOT NULL,
    action    text NOT NULL,
    codes     text[] NOT NULL,
    PRIMARY KEY (plan_id, revision)
);

-- The undo stack: each edit with the plan's rows of its units before and after it.
CREATE TABLE grid_plan_step (
    plan_id   bigint NOT NULL REFERENCES grid_plan (id) ON DELETE CASCADE,
    step      integer NOT NULL,
    action    text NOT NULL,
    actor     text NOT NULL,
    at        timestamptz NOT NULL,
    undone    boolean NOT NULL DEFAULT false,
    PRIMARY KEY (plan_id, step)
);

-- A unit's plan row on one side of a step; op NULL: the plan had no row (the unit as in force).
CREATE TABLE grid_plan_step_unit (
    plan_id      bigint NOT NULL,
    step         integer NOT NULL,
    side         text NOT NULL CHECK (side IN ('before', 'after')),
    code         text NOT NULL,
    op           text CHECK (op IN ('upsert', 'remove')),
    name         text,
    level        text,
    parent_code  text,
    officer      text,
    population   integer,
    households   integer,
    geom         geometry(Geometry, 4326),
    base_digest  text,
    PRIMARY KEY (plan_id, step, side, code),
    FOREIGN KEY (plan_id, step) REFERENCES grid_plan_step (plan_id, step) ON DELETE CASCADE
);
