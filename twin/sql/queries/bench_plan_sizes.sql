-- How big the benchmarked city is: its points (incidents, cameras, sensors) and units.
-- params: none
-- columns: points, units
SELECT (SELECT count(*) FROM incident) + (SELECT count(*) FROM camera)
       + (SELECT count(*) FROM sensor) AS points,
       (SELECT count(*) FROM grid) AS units;
