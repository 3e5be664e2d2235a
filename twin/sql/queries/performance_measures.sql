-- Performance evaluation (绩效评估, twin.performance.measures): the cases reported in
-- [start, end), grouped by unit, and what became of each as the store holds it at :at.
-- A case belongs to the period it was reported in; a report merged into another case is
-- counted once as a merged report (duplicate), in the period of its own report.
--   unit: by 'level' the code of the unit of :level that holds the case's grid (the map in
--   force now), by 'officer' the officer it was dispatched to or else its grid's officer,
--   by 'department' its department; NULL: none (a case outside every grid, or
--   dispatched to nobody).
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
--         level text (NULL unless by = 'level'), open text[]
-- columns: unit, is_total, cases, merged, dispatched, dispatch_h_median, dispatch_h_p90, resolved,
--          resolve_h_median, resolve_h_p90, dispatch_judged, dispatch_on_time, start_judged,
--          start_on_time, resolve_judged, resolve_on_time, overdue, escalations, escalated,
--          ever_resolved, reopened
WITH cohort AS (
    SELECT i.id, i.grid_id, i.officer, i.department, i.status, i.reported_at,
           i.dispatched_at, i.started_at, i.escalated_at, i.resolved_at,
           i.dispatch_due_at, i.start_due_at, i.due_at
    FROM incident i
    WHERE i.reported_at >= %(start)s AND i.reported_at < %(end)s
), timeline AS (
    SELECT e.incident_id,
           count(*) FILTER (WHERE e.action = 'escalate') AS escalations,
           bool_or(e.action = 'reopen') AS reopened
    FROM incident_event e JOIN cohort c ON c.id = e.incident_id
    GROUP BY e.incident_id
), facts AS (
    SELECT c.grid_id, coalesce(c.officer, g.officer) AS officer, c.department,
           false AS merged,
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
    UNION ALL
    SELECT (m.snapshot ->> 'grid_id')::bigint, coalesce(m.snapshot ->> 'officer', g.officer),
           m.snapshot ->> 'department', true, NULL, NULL, false, false, false, false, false,
           false, false, 0, false, false
    FROM incident_merged m
    LEFT JOIN grid g ON g.id = (m.snapshot ->> 'grid_id')::bigint
    WHERE (m.snapshot ->> 'reported_at')::timestamptz >= %(start)s
      AND (m.snapshot ->> 'reported_at')::timestamptz < %(end)s
), keyed AS (
    SELECT CASE %(by)s::text WHEN 'officer' THEN f.officer
                             WHEN 'department' THEN f.department
                             ELSE u.code END AS unit,
           f.*
    FROM facts f
    LEFT JOIN (SELECT a.grid_id, g.code
               FROM grid_ancestor a JOIN grid g ON g.id = a.ancestor_id
               WHERE g.level = %(level)s::text) u ON u.grid_id = f.grid_id
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
