-- The outlines of one level, or of those of its units in a box when one is given.
-- params: level text, w, s, e, n double precision or NULL (no box), limit int
-- columns: code, geom (WKB)
SELECT code, ST_AsBinary(geom) AS geom FROM grid
WHERE level = %(level)s::text
  AND (%(w)s::float8 IS NULL
       OR geom && ST_MakeEnvelope(%(w)s::float8, %(s)s::float8, %(e)s::float8, %(n)s::float8, 4326))
ORDER BY code
LIMIT %(limit)s::int;
