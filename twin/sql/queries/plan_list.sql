-- Every plan with how many units it changes, newest first.
-- params: (none)
-- columns: id, name, scope, state, base_version, revision, author, effective_date, changed, created_at, updated_at
SELECT p.id, p.name, p.scope_code AS scope, p.state, p.base_version, p.revision, p.author,
       p.effective_date,
       (SELECT count(*) FROM grid_plan_unit u WHERE u.plan_id = p.id) AS changed,
       p.created_at, p.updated_at
FROM grid_plan p
ORDER BY p.created_at DESC, p.name;
