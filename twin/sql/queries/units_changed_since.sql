-- The units whose counters moved after a change version (grid_id 0: the unassigned points).
-- params: since bigint
-- columns: grid_id
SELECT grid_id FROM grid_change WHERE version > %(since)s::bigint;
