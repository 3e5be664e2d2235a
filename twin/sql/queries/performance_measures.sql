-- Performance evaluation (绩效评估, twin.performance.measures): the cases reported in
-- [start, end), grouped by unit, and what became of each as the store holds it at :at.
-- A case belongs to the period it was reported in; a report merged into another case is
-- counted once as a merged report (duplicate), in the period of its own report.
--   unit: by 'level' the code of the unit of :level that holds the case's grid (the map in
--   force now), by 'officer' the officer it was dispatched to or else its grid's officer,
--   by 'department' its department; NULL: none (a case outside every grid, or
--   dispatched to nobody). With :version (--as-of), the map of that version instead: each
--   case placed in the deepest of its units that covers it (lowest code among equals, the
--   assignment rule of migration 010 over that version's outlines, from grid_history),
--   its unit of :level found up that version's hierarchy, its officer that unit's then.
--   *_h: hours from report to the first dispatch / to the resolution that stands, of the
--   cases that have one; median and p90 interpolated (percentile_cont).
--   *_judged: cases whose stage has a deadline and is decided at :at (done, or past due);
--   *_on_time: of those, done by the deadline.
--   overdue: open (the catalog's :open statuses) and past the resolve deadline at :at.
--   escalations: escalate entries on the timeline (the sweep's, one per stage, and by
--   hand); a case without a timeline (loaded from a file) that has an escalation time: 1.
--   ever_resolved: resolved now or reopened since; reopened: reopened at least once.
-- One more row, is_total, is the whole city's (a grouping set: the cases are read once).
-- params: start, end, at timestamptz, by text ('level', 'officer', 'department'),
--         level text (NULL unless by = 'level'), open text[], version int (NULL: now)
-- columns: unit, is_total, cases, merged, dispatched, dispatch_h_median, dispatch_h_p90, resolved,
--          resolve_h_median, resolve_h_p90, dispatch_judged, dispatch_on_time, start_judged,
--          start_on_time, resolve_judged, resolve_on_time, overdue, escalations, escalated,
--          ever_resolved, reopened
WITH RECURSIVE cohort AS (
    SELECT i.id, i.grid_id, i.officer, i.department, i.status, i.reported_at,
           i.dispatched_at, i.started_at, i.escalated_at, i.resolved_at,
           i.dispatch_due_at, i.start_due_at, i.due_at, i.geom
    FROM incident i
    WHERE i.reported_at >= %(start)s AND i.reported_at < %(end)s
), merged AS (
    -- A merged report's unit by the assignment rule now (twin_grid_at), not the grid_id
    -- of its snapshot: that one is stale once a publish redraws where it lies.
    SELECT r.id, twin_grid_at(r.geom) AS grid_id, r.officer, r.department, r.geom
    FROM (SELECT m.incident_id AS id, m.snapshot ->> 'officer' AS officer,
                 m.snapshot ->> 'department' AS department,
                 ST_GeomFromEWKB(decode(m.snapshot ->> 'geom', 'hex')) AS geom,
                 m.snapshot ->> 'reported_at' AS reported_at
          FROM incident_merged m) r
    WHERE r.reported_at::timestamptz >= %(start)s AND r.reported_at::timestamptz < %(end)s
), placed AS (  -- only with :version; point-driven through grid_history's spatial index
    SELECT p.is_merged, p.id, u.code, u.officer
    FROM (SELECT false AS is_merged, id, geom FROM cohort
          UNION ALL SELECT true, id, geom FROM merged) p
    CROSS JOIN LATERAL (
        SELECT h.code, h.officer FROM grid_history h JOIN grid_level l ON l.level = h.level
        WHERE h.version_from <= %(version)s::int
          AND (h.version_to IS NULL OR h.version_to > %(version)s::int)
          AND ST_Covers(h.geom, p.geom)
        ORDER BY l.depth DESC, h.code LIMIT 1) u
), version_up AS (  -- each placed unit and its ancestors in that version
    SELECT DISTINCT code AS unit, code AS ancestor FROM placed
    UNION
    SELECT up.unit, h.parent_code
    FROM version_up up JOIN grid_history h ON h.code = up.ancestor
    WHERE h.version_from <= %(version)s::int
      AND (h.version_to IS NULL OR h.version_to > %(version)s::int)
      AND h.parent_code IS NOT NULL
), version_level AS (
    SELECT up.unit, up.ancestor AS code
    FROM version_up up JOIN grid_history h ON h.code = up.ancestor
    WHERE h.version_from <= %(version)s::int
      AND (h.version_to IS NULL OR h.version_to > %(version)s::int)
      AND h.level = %(level)s::text
), timeline AS (
    SELECT e.incident_id,
           count(*) FILTER (WHERE e.action = 'escalate') AS escalations,
           bool_or(e.action = 'reopen') AS reopened
    FROM incident_event e JOIN cohort c ON c.id = e.incident_id
    GROUP BY e.incident_id
), facts AS (
    SELECT c.grid_id, pl.code AS placed_code,
           coalesce(c.officer, CASE WHEN %(version)s::int IS NULL THEN g.officer
                                    ELSE pl.officer END) AS officer,
           c.department, false AS merged,
           extract(epoch FROM c.dispatched_at - c.reported_at) / 3600 AS dispatch_h,
           extract(epoch FROM c.resolved_at - c.reported_at) / 3600 AS resolve_h,
           c.dispatch_due_at IS NOT NULL
               AND (c.dispatched_at IS NOT NULL OR c.dispatch_due_at < %(at)s) AS dispatch_judged,
           coalesce(c.dispatched_at <= c.dispatch_due_at, false) AS dispatch_on_time,
           c.start_due_at IS NOT NULL
               AND (c.started_at IS NOT NULL OR c.start_due_at < %(at)s) AS start_judged,
           coalesce(c.started_at <= c.start_due_at, false) AS start_on_time,
           c.resolved_at IS NOT NULL OR c.due_at < %(at)s AS resolve_judged,
           coalesce(c.resolved_at <= c.due_at, false) AS resolve_on_time,
           c.status = ANY(%(open)s::text[]) AND c.due_at < %(at)s AS overdue,
           CASE WHEN t.incident_id IS NULL THEN (c.escalated_at IS NOT NULL)::int
                ELSE t.escalations END AS escalations,
           coalesce(t.reopened, false) AS reopened,
           c.resolved_at IS NOT NULL OR coalesce(t.reopened, false) AS ever_resolved
    FROM cohort c
    LEFT JOIN timeline t ON t.incident_id = c.id
    LEFT JOIN grid g ON g.id = c.grid_id
    LEFT JOIN placed pl ON NOT pl.is_merged AND pl.id = c.id
    UNION ALL
    SELECT m.grid_id, pl.code,
           coalesce(m.officer, CASE WHEN %(version)s::int IS NULL THEN g.officer
                                    ELSE pl.officer END),
           m.department, true, NULL, NULL, false, false, false, false, false,
           false, false, 0, false, false
    FROM merged m
    LEFT JOIN grid g ON g.id = m.grid_id
    LEFT JOIN placed pl ON pl.is_merged AND pl.id = m.id
), keyed AS (
    SELECT CASE %(by)s::text WHEN 'officer' THEN f.officer
                             WHEN 'department' THEN f.department
                             WHEN 'level' THEN CASE WHEN %(version)s::int IS NULL THEN u.code
                                                    ELSE v.code END
                             END AS unit,
           f.*
    FROM facts f
    LEFT JOIN (SELECT a.grid_id, g.code
               FROM grid_ancestor a JOIN grid g ON g.id = a.ancestor_id
               WHERE g.level = %(level)s::text) u ON u.grid_id = f.grid_id
    LEFT JOIN version_level v ON v.unit = f.placed_code
)
SELECT unit, GROUPING(unit) = 1 AS is_total,
       count(*) FILTER (WHERE NOT merged) AS cases,
       count(*) FILTER (WHERE merged) AS merged,
       count(dispatch_h) AS dispatched,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY dispatch_h) AS dispatch_h_median,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY dispatch_h) AS dispatch_h_p90,
       count(resolve_h) AS resolved,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY resolve_h) AS resolve_h_median,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY resolve_h) AS resolve_h_p90,
       count(*) FILTER (WHERE dispatch_judged) AS dispatch_judged,
       count(*) FILTER (WHERE dispatch_judged AND dispatch_on_time) AS dispatch_on_time,
       count(*) FILTER (WHERE start_judged) AS start_judged,
       count(*) FILTER (WHERE start_judged AND start_on_time) AS start_on_time,
       count(*) FILTER (WHERE resolve_judged) AS resolve_judged,
       count(*) FILTER (WHERE resolve_judged AND resolve_on_time) AS resolve_on_time,
       count(*) FILTER (WHERE overdue) AS overdue,
       sum(escalations)::bigint AS escalations,
       count(*) FILTER (WHERE escalations > 0) AS escalated,
       count(*) FILTER (WHERE ever_resolved) AS ever_resolved,
       count(*) FILTER (WHERE reopened) AS reopened
FROM keyed
GROUP BY GROUPING SETS ((unit), ())
ORDER BY is_total, unit NULLS LAST;
