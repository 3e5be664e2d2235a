-- Every unit of one version (optionally of one level), as the version had it.
-- params: version int, level text or NULL (every level)
-- columns: code, name, level, parent_code, officer, population, households, geom (WKB)
SELECT code, name, level, parent_code, officer, population, households,
       ST_AsBinary(geom) AS geom
FROM grid_history
WHERE version_from <= %(version)s AND (version_to IS NULL OR version_to > %(version)s)
  AND (%(level)s::text IS NULL OR level = %(level)s::text)
ORDER BY code;
