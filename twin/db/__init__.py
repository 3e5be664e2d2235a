"""Database access: the embedded cluster, connections, migrations and named SQL."""
