-- Whether a case code is in use, by a case or by a case merged into another.
-- params: code text
-- columns: taken
SELECT EXISTS (SELECT 1 FROM incident WHERE code = %(code)s)
    OR EXISTS (SELECT 1 FROM incident_merged WHERE code = %(code)s) AS taken;
