-- Staged units whose parent code (as the file gives it) names no unit of a coarser level,
-- or whose code is taken by a unit of another level.
-- params: level text, above text (the loaded levels above, for the message)
-- columns: feature, code, field, reason
SELECT s.feature, s.code, 'parent_code' AS field,
       format('no %%s has the code %%L', %(above)s::text, s.parent_code) AS reason
FROM twin_stage s
WHERE s.parent_code IS NOT NULL AND NOT s.derived
  AND NOT EXISTS (SELECT 1 FROM grid p JOIN grid_level l ON l.level = p.level
                  WHERE p.code = s.parent_code
                    AND l.depth < (SELECT depth FROM grid_level WHERE level = %(level)s::text))
UNION ALL
SELECT s.feature, s.code, 'code', format('the code is already used by a %%s', g.level)
FROM twin_stage s JOIN grid g ON g.code = s.code AND g.level <> %(level)s::text
ORDER BY 1;
