-- One unit's plan row on one side of a step (op NULL: no row).
-- params: plan_id, step, side, code, op, name, level, parent_code, officer, population, households, geom (WKB), base_digest
-- columns: (none)
INSERT INTO grid_plan_step_unit (plan_id, step, side, code, op, name, level, parent_code,
                                 officer, population, households, geom, base_digest)
VALUES (%(plan_id)s, %(step)s, %(side)s, %(code)s, %(op)s, %(name)s, %(level)s,
        %(parent_code)s, %(officer)s, %(population)s, %(households)s,
        ST_GeomFromWKB(%(geom)s, 4326), %(base_digest)s);
