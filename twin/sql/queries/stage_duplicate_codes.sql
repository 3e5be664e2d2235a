-- Codes that more than one staged feature carries.
-- params: none
-- columns: code, features (int[])
-- The repeated codes first (one hashed count per code), then the features of those only:
-- sorting every code's features into an array cost twice as much at 1M features.
WITH repeated AS (
    SELECT code FROM twin_stage WHERE code IS NOT NULL GROUP BY code HAVING count(*) > 1
)
SELECT code, array_agg(feature ORDER BY feature) AS features
FROM twin_stage JOIN repeated USING (code)
GROUP BY code
ORDER BY min(feature);
