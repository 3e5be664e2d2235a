-- Write one changed unit of a plan (insert or replace).
-- params: plan_id, code, op, name, level, parent_code, officer, population, households, geom (WKB), revision, base_digest
-- columns: (none)
INSERT INTO grid_plan_unit (plan_id, code, op, name, level, parent_code, officer, population,
                            households, geom, revision, base_digest)
VALUES (%(plan_id)s, %(code)s, %(op)s, %(name)s, %(level)s, %(parent_code)s, %(officer)s,
        %(population)s, %(households)s, ST_Multi(ST_GeomFromWKB(%(geom)s, 4326)),
        %(revision)s, %(base_digest)s)
ON CONFLICT (plan_id, code) DO UPDATE SET
    op = EXCLUDED.op, name = EXCLUDED.name, level = EXCLUDED.level,
    parent_code = EXCLUDED.parent_code, officer = EXCLUDED.officer,
    population = EXCLUDED.population, households = EXCLUDED.households, geom = EXCLUDED.geom,
    revision = EXCLUDED.revision, base_digest = EXCLUDED.base_digest;
