-- One plan by its name, locked until the transaction ends: its writers take turns.
-- params: name text
-- columns: id, name, scope_code, base_version, state, effective_date, revision, author, created_at, updated_at
SELECT id, name, scope_code, base_version, state, effective_date, revision, author,
       created_at, updated_at
FROM grid_plan WHERE name = %(name)s FOR UPDATE;
