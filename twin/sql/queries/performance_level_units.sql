-- The units of one level of the map in force now, so an evaluation by level lists each,
-- those without a case in the period included.
-- params: level text
-- columns: code, name
SELECT code, name FROM grid WHERE level = %(level)s ORDER BY code;
