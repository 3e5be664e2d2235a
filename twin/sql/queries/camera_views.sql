-- Every camera of one status with a known range (one that could cover part of a unit).
-- params: status text
-- columns: code, heading_deg, fov_deg, range_m, lon, lat
SELECT code, heading_deg, fov_deg, range_m, ST_X(geom) AS lon, ST_Y(geom) AS lat
FROM camera
WHERE status = %(status)s AND range_m IS NOT NULL
ORDER BY code;
