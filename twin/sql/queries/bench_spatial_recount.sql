-- The benchmark's naive hotspot view: each grid recounts the window's cases by a spatial
-- join, driven per polygon (each probes the incidents' GiST index; the fast form, DESIGN.md).
-- params: start timestamptz or NULL (since the beginning), end timestamptz
-- columns: code, n
SELECT g.code,
       (SELECT count(*) FROM incident i
        WHERE ST_Covers(g.geom, i.geom)
          AND (%(start)s::timestamptz IS NULL OR i.reported_at >= %(start)s)
          AND i.reported_at < %(end)s) AS n
FROM grid g WHERE g.level = 'grid' ORDER BY g.code;
