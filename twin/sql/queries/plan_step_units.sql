-- The plan rows of a step's units on one side.
-- params: plan_id bigint, step integer, side text
-- columns: code, op, name, level, parent_code, officer, population, households, geom, base_digest
SELECT code, op, name, level, parent_code, officer, population, households,
       ST_AsBinary(geom) AS geom, base_digest
FROM grid_plan_step_unit
WHERE plan_id = %(plan_id)s AND step = %(step)s AND side = %(side)s ORDER BY code;
