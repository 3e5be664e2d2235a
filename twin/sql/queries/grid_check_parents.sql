-- Staged grids whose parent code names no grid of the level above, or whose code is taken
-- by a grid of another level.
-- params: level text, parent_level text or NULL (districts)
-- columns: feature, code, field, reason
SELECT s.feature, s.code, 'parent_code' AS field,
       format('no %%s has the code %%L', %(parent_level)s::text, s.parent_code) AS reason
FROM twin_stage s
WHERE %(parent_level)s::text IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM grid p WHERE p.code = s.parent_code
                  AND p.level = %(parent_level)s::text)
UNION ALL
SELECT s.feature, s.code, 'code', format('the code is already used by a %%s', g.level)
FROM twin_stage s JOIN grid g ON g.code = s.code AND g.level <> %(level)s::text
ORDER BY 1;
