-- Codes that more than one staged feature carries.
-- params: none
-- columns: code, features (int[])
SELECT code, array_agg(feature ORDER BY feature) AS features
FROM twin_stage WHERE code IS NOT NULL
GROUP BY code HAVING count(*) > 1
ORDER BY min(feature);
