-- Live push: every transaction that moves a unit's counters (or changes the map) takes one
-- change version at its commit, records the version on each unit it moved, and notifies
-- channel twin_change once with that version. A reader holding version V re-reads only the
-- units whose version is above V.

-- The one change clock. Versions are taken at commit time (deferred triggers) under this
-- row's lock, so they follow commit order: a reader that sees version V sees every change
-- numbered V or less. Writers queue on the row only between their last deferred trigger and
-- their commit. map_version: the last version that changed the units themselves (a plan
-- published, a unit renamed): a reader holding less re-reads everything.
CREATE TABLE twin_change_clock (
    one         boolean PRIMARY KEY DEFAULT true CHECK (one),
    version     bigint NOT NULL DEFAULT 0,
    map_version bigint NOT NULL DEFAULT 0
);
INSERT INTO twin_change_clock DEFAULT VALUES;

-- The last version at which each unit's counters moved (grid_id 0: the points in no grid).
-- One row per unit, so it never grows beyond the map and needs no trimming.
CREATE TABLE grid_change (
    grid_id bigint PRIMARY KEY,
    version bigint NOT NULL
);
CREATE INDEX grid_change_version_idx ON grid_change (version);

-- This transaction's change version, taken (and notified) on first use. pg_notify sends one
-- notification per transaction however often it is called with the same payload.
CREATE FUNCTION twin_change_version() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    v bigint := nullif(current_setting('twin.change_version', true), '')::bigint;
BEGIN
    IF v IS NULL THEN
        UPDATE twin_change_clock SET version = version + 1 RETURNING version INTO v;
        PERFORM set_config('twin.change_version', v::text, true);
        PERFORM pg_notify('twin_change', v::text);
    END IF;
    RETURN v;
END $$;

CREATE FUNCTION twin_note_unit_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    INSERT INTO grid_change AS c (grid_id, version)
    VALUES (NEW.grid_id, twin_change_version())
    ON CONFLICT (grid_id) DO UPDATE SET version = excluded.version;
    RETURN NULL;
END $$;

CREATE FUNCTION twin_note_map_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    v bigint := twin_change_version();  -- (taken before: it writes the clock row itself)
BEGIN
    UPDATE twin_change_clock SET map_version = v WHERE map_version <> v;
    RETURN NULL;
END $$;

-- At commit, once per grid_stat row the transaction wrote (a case: its grid and ancestors).
CREATE CONSTRAINT TRIGGER grid_stat_changed AFTER INSERT OR UPDATE ON grid_stat
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION twin_note_unit_change();
CREATE CONSTRAINT TRIGGER grid_map_changed AFTER INSERT OR UPDATE OR DELETE ON grid
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION twin_note_map_change();

DO $$
DECLARE
    fn text;
BEGIN
    FOREACH fn IN ARRAY ARRAY['twin_change_version()', 'twin_note_unit_change()',
                              'twin_note_map_change()'] LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = %I, pg_temp', fn, current_schema());
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', fn);
    END LOOP;
END $$;
