-- A fingerprint of the grid table for the in-memory assignment's cache of units: any write
-- changes it, a second write in the same transaction too (each row version has its own
-- ctid, where map_grid_version's newest xmin would stay the same).
-- params: none
-- columns: n, digest
SELECT count(*) AS n,
       coalesce(bit_xor(hashtextextended(xmin::text || ':' || ctid::text, 0)), 0) AS digest
FROM grid;
