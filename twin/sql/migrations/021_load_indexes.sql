-- Every index on incident is work for each row a load writes (issue 15). incident_reported_idx
-- (reported_at DESC) repeats the key of incident_reported_cover_idx (reported_at INCLUDE
-- category, grid_id), which a backward scan reads in the same order: each reader that used
-- the one (today's and yesterday's city-wide counts, the city's activity) plans on the other.
DROP INDEX incident_reported_idx;
