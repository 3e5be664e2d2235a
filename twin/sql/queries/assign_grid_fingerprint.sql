-- What names the in-memory assignment's unit index, in this process and on disk (with the
-- level): the database (its cluster's system identifier and its oid) and a fingerprint of the
-- grid table. Any write changes the fingerprint, a second write in the same transaction too
-- (each row version has its own ctid, where map_grid_version's newest xmin would stay the
-- same), and an xid is never reused, so neither is a fingerprint.
-- params: none
-- columns: cluster, db, n, digest
SELECT (SELECT system_identifier FROM pg_control_system()) AS cluster,
       (SELECT oid FROM pg_database WHERE datname = current_database())::bigint AS db,
       count(*) AS n,
       coalesce(bit_xor(hashtextextended(xmin::text || ':' || ctid::text, 0)), 0) AS digest
FROM grid;
