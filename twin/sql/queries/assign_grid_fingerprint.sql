-- What names the in-memory assignment's unit index, in this process and on disk (with the
-- level): the database (its cluster's system identifier and its oid) and a fingerprint of the
-- grid table. Any write changes the fingerprint, a second write in the same transaction too
-- (each row version has its own ctid, where map_grid_version's newest xmin would stay the
-- same), and an xid is never reused, so neither is a fingerprint. Each row's id and level go
-- in too: a grid truncated and loaded again in the same transaction repeats the ctids and
-- the xmin, but not the ids the sequence hands out. (A restored backup or an xid wraparound
-- could in theory repeat one: `.twin/cache` is always safe to delete.)
-- params: none
-- columns: cluster, db, n, digest
SELECT (SELECT system_identifier FROM pg_control_system()) AS cluster,
       (SELECT oid FROM pg_database WHERE datname = current_database())::bigint AS db,
       count(*) AS n,
       coalesce(bit_xor(hashtextextended(concat_ws(':', xmin, ctid, id, level), 0)), 0) AS digest
FROM grid;
