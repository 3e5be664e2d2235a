-- The lifecycle's moves (005): which status may follow which; the case page offers the
-- actions these allow.
-- params: (none)
-- columns: from_status, to_status
SELECT from_status, to_status FROM incident_transition ORDER BY from_status, to_status;
