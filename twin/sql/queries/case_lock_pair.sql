-- The two cases of a merge, locked in id order (two merges of the same pair cannot deadlock).
-- params: codes text[]
-- columns: id, code, status
SELECT id, code, status FROM incident WHERE code = ANY(%(codes)s::text[])
ORDER BY id FOR UPDATE;
