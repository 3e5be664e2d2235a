-- A fingerprint of each named unit in force (a code not in force has no row): any change
-- to its name, level, parent, officer, counts or outline changes it.
-- params: codes text[]
-- columns: code, digest
SELECT g.code,
       md5(row(g.name, g.level, p.code, g.officer, g.population, g.households,
               ST_AsEWKB(g.geom))::text) AS digest
FROM grid g LEFT JOIN grid p ON p.id = g.parent_id
WHERE g.code = ANY(%(codes)s);
