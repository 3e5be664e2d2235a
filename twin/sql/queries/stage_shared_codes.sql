-- Codes that several staged grid features share (--merge-parts), and how many distinct
-- attribute sets they carry (1: the parts agree).
-- params: none
-- columns: code, features (int[]), variants
SELECT code, array_agg(feature ORDER BY feature) AS features,
       count(DISTINCT (name, parent_code, officer, population, households)) AS variants
FROM twin_stage WHERE code IS NOT NULL
GROUP BY code HAVING count(*) > 1
ORDER BY min(feature);
