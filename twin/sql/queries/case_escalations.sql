-- The stages of a case that were escalated, in order.
-- params: id bigint
-- columns: stage, at, due_at
SELECT stage, at, due_at FROM incident_escalation WHERE incident_id = %(id)s ORDER BY at, stage;
