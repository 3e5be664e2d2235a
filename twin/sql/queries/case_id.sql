-- The id of a case by code (locked by the caller's transaction when it writes).
-- params: code text
-- columns: id
SELECT id FROM incident WHERE code = %(code)s;
