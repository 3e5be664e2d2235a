-- One unit of a change set into the stage (geometry as hex WKB in WGS 84).
-- params: code, name, level, parent_code, officer, population, households, wkb (hex text)
-- columns: none
INSERT INTO twin_publish_stage (code, name, level, depth, parent_code, officer, population,
                                households, geom)
VALUES (%(code)s, %(name)s, %(level)s, (SELECT depth FROM grid_level WHERE level = %(level)s),
        %(parent_code)s, %(officer)s, %(population)s, %(households)s,
        ST_Multi(ST_SetSRID(ST_GeomFromWKB(decode(%(wkb)s, 'hex')), 4326)));
