-- Every version, newest first, with how many units it added, changed and removed.
-- params: none
-- columns: version, effective_at, recorded_at, kind, plan_name, note, added, changed, removed
SELECT v.version, v.effective_at, v.recorded_at, v.kind, v.plan_name, v.note,
       count(*) FILTER (WHERE h.version_from = v.version AND prev.code IS NULL) AS added,
       count(*) FILTER (WHERE h.version_from = v.version AND prev.code IS NOT NULL) AS changed,
       (SELECT count(*) FROM grid_history e
        WHERE e.version_to = v.version
          AND NOT EXISTS (SELECT 1 FROM grid_history n
                          WHERE n.code = e.code AND n.version_from = v.version)) AS removed
FROM grid_version v
LEFT JOIN grid_history h ON h.version_from = v.version
LEFT JOIN grid_history prev ON prev.code = h.code AND prev.version_to = v.version
GROUP BY v.version
ORDER BY v.version DESC;
