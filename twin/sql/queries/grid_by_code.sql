-- One grid of any level by its code.
-- params: code text
-- columns: id, code, name, level, parent_id, officer, population, households, area_m2
SELECT id, code, name, level, parent_id, officer, population, households, area_m2
FROM grid WHERE code = %(code)s;
