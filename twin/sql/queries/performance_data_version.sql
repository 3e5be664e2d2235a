-- What a cached evaluation depends on: the case table's change counter (every statement
-- that writes incident bumps it: a new case, a stage, an escalation, a merge) and the change
-- clock (a unit renamed or redrawn, an officer changed). Read before the evaluation, never after.
-- params: none
-- columns: cases_version, change_version
SELECT coalesce((SELECT version FROM twin_layer_version WHERE layer = 'incident'), -1)
           AS cases_version,
       (SELECT version FROM twin_change_clock) AS change_version;
