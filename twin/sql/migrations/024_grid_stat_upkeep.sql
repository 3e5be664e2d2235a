-- grid_stat is a small table of wide rows updated all day (every case moves its unit's row and
-- its ancestors'). Two things keep it small and its updates HOT (no index touched, pruned in
-- place): room on each page, and vacuum soon after bursts.
-- fillfactor 70 (was 50): with the vacuum below keeping dead versions few, 30% of a page (about
-- five spare row versions) is room enough, and an all-grid read scans 30% fewer pages.
-- Only pages written from now on follow it; `twin db maintain` rewrites a bloated table.
-- Autovacuum: by default it waits for 20% of the rows to be dead (10,000 at metro size, a
-- whole extra table after one bulk recount); here after 1,000 dead rows or 2%, and the
-- planner's statistics after 2%.
ALTER TABLE grid_stat SET (
    fillfactor = 70,
    autovacuum_vacuum_threshold = 1000,
    autovacuum_vacuum_scale_factor = 0.02,
    autovacuum_analyze_threshold = 1000,
    autovacuum_analyze_scale_factor = 0.02
);
-- grid_change: one row per unit, its version rewritten at each change (the same pattern).
ALTER TABLE grid_change SET (
    fillfactor = 70,
    autovacuum_vacuum_threshold = 1000,
    autovacuum_vacuum_scale_factor = 0.02
);
