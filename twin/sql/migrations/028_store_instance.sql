-- Which store this is: a process keeps each level's units per map version
-- (twin/spatial/level_units.py), keyed by this, the database and the grid table. A store
-- whose tables were dropped and made again in the same database (a restore with --clean)
-- may repeat both its map versions and its ids, but not this and grid's oid together.
ALTER TABLE twin_change_clock ADD COLUMN instance uuid NOT NULL DEFAULT gen_random_uuid();
