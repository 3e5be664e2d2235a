-- A new draft plan.
-- params: name text, scope text, base_version integer, author text, at timestamptz
-- columns: id
INSERT INTO grid_plan (name, scope_code, base_version, author, created_at, updated_at)
VALUES (%(name)s, %(scope)s, %(base_version)s, %(author)s, %(at)s, %(at)s)
RETURNING id;
