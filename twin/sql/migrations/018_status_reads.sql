-- All-grid status reads a level's units in code order from the index alone: the grid rows
-- carry their outlines inline (a city's grid level is ~900 pages for 5,000 units), while this
-- index holds only what the status shows. It replaces the plain (level, code) index, whose
-- reads it serves as well.
CREATE INDEX grid_level_code_cover_idx ON grid (level, code)
    INCLUDE (id, name, parent_id, officer, population, households, area_m2);
DROP INDEX grid_level_code_idx;
