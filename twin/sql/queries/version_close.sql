-- End the open states of the given units at a version.
-- params: version int, codes text[]
-- columns: none
UPDATE grid_history SET version_to = %(version)s
WHERE version_to IS NULL AND code = ANY(%(codes)s::text[]);
