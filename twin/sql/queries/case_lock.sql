-- A case about to be acted on, locked until the action commits.
-- params: code text
-- columns: id, status, department, officer
SELECT id, status, department, officer FROM incident WHERE code = %(code)s FOR UPDATE;
