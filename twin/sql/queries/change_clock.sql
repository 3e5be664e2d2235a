-- The store's change clock: the newest change version and the last that changed the map.
-- params: none
-- columns: version, map_version
SELECT version, map_version FROM twin_change_clock;
