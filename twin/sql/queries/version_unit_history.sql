-- One unit's states, oldest first, each with the versions it was valid for, when they took
-- effect and what made them; where a state ended without a successor of the same code, the
-- units of the next version that took over its area (more than 1 m²).
-- params: code text
-- columns: version_from, version_to, effective_from, effective_to, kind, plan_name, name,
--          level, parent_code, officer, population, households, area_m2, taken_by
SELECT h.version_from, h.version_to, vf.effective_at AS effective_from,
       vt.effective_at AS effective_to, vf.kind, vf.plan_name, h.name, h.level,
       h.parent_code, h.officer, h.population, h.households,
       ST_Area(h.geom::geography) AS area_m2,
       CASE WHEN h.version_to IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM grid_history n
                WHERE n.code = h.code AND n.version_from = h.version_to)
            THEN (SELECT coalesce(array_agg(o.code ORDER BY o.code), '{}')
                  FROM grid_history o
                  WHERE o.version_from <= h.version_to
                    AND (o.version_to IS NULL OR o.version_to > h.version_to)
                    AND o.level = h.level AND ST_Intersects(o.geom, h.geom)
                    AND ST_Area(ST_Intersection(o.geom, h.geom)::geography) > 1)
       END AS taken_by
FROM grid_history h
JOIN grid_version vf ON vf.version = h.version_from
LEFT JOIN grid_version vt ON vt.version = h.version_to
WHERE h.code = %(code)s
ORDER BY h.version_from;
