-- The benchmark's naive hotspot view: each grid recounts the window's cases by a spatial
-- join, driven per polygon (LATERAL … OFFSET 0 keeps the window's condition out of the probe,
-- so each polygon probes the incidents' GiST index: the fast form of this join, DESIGN.md).
-- params: start timestamptz or NULL (since the beginning), end timestamptz
-- columns: code, n
SELECT g.code,
       count(x.reported_at) FILTER (WHERE (%(start)s::timestamptz IS NULL
                                          OR x.reported_at >= %(start)s)
                                      AND x.reported_at < %(end)s) AS n
FROM grid g
LEFT JOIN LATERAL (SELECT i.reported_at FROM incident i
                   WHERE ST_Covers(g.geom, i.geom) OFFSET 0) x ON true
WHERE g.level = 'grid'
GROUP BY g.code ORDER BY g.code;
