-- The units a plan changes, by code.
-- params: plan_id bigint
-- columns: code, op, name, level, parent_code, officer, population, households, geom, revision, base_digest
SELECT code, op, name, level, parent_code, officer, population, households,
       ST_AsBinary(geom) AS geom, revision, base_digest
FROM grid_plan_unit WHERE plan_id = %(plan_id)s ORDER BY code;
