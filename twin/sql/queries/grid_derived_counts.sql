-- How many staged units got their parent by containment, per level of that parent.
-- params: (none)
-- columns: level, n
SELECT p.level, count(*) AS n
FROM twin_stage s JOIN grid p ON p.code = s.parent_code
JOIN grid_level l ON l.level = p.level
WHERE s.derived
GROUP BY p.level, l.depth
ORDER BY l.depth DESC;
