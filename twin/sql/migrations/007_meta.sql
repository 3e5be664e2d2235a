-- Facts about this store's contents, such as which demo city was loaded.
CREATE TABLE twin_meta (
    key         text PRIMARY KEY,
    value       jsonb NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
