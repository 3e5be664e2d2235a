-- The grid officer responsible for a point: that of the finest unit containing it, else of
-- the nearest unit above with one (no row: no unit, or no officer anywhere above).
-- params: lon, lat float
-- columns: officer
SELECT g.officer
FROM grid_ancestor a JOIN grid g ON g.id = a.ancestor_id
WHERE a.grid_id = twin_grid_at(ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326))
  AND g.officer IS NOT NULL AND g.officer <> ''
ORDER BY a.depth
LIMIT 1;
