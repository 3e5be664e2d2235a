-- Every unit's counts also as one value: grid_stat.counts, each count column as 8 big-endian
-- bytes in column order (twin_stat_counts_columns()). A level's status read at metro size
-- spent most of its time having the server send, and Python build, some 60 values per unit;
-- one bytea per unit is sent as one value and read into an array in one step
-- (twin/spatial/counts.py). Generated, so every write that counts keeps it right.

-- grid_stat's count columns in the order counts holds them (all but grid_id and counts).
CREATE FUNCTION twin_stat_counts_columns() RETURNS text[] LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(attname::text ORDER BY attnum), '{}')
    FROM pg_attribute
    WHERE attrelid = 'grid_stat'::regclass AND attnum > 0 AND NOT attisdropped
      AND attname NOT IN ('grid_id', 'counts')
$$;

-- counts made again from the columns grid_stat has now (one rewrite of the table), and the
-- view of the columns without it, for the reads that take every column (s.*).
CREATE FUNCTION twin_stat_pack() RETURNS void LANGUAGE plpgsql AS $f$
DECLARE
    names text[] := twin_stat_counts_columns();
BEGIN
    EXECUTE format(
        'ALTER TABLE grid_stat DROP COLUMN IF EXISTS counts, '
        'ADD COLUMN counts bytea GENERATED ALWAYS AS (%s) STORED',
        coalesce((SELECT string_agg(format('int8send(%I)', n), ' || ' ORDER BY o)
                  FROM unnest(names) WITH ORDINALITY AS u (n, o)), '''''::bytea'));
    -- Replaced, not dropped: columns are only ever added (at the end), and a replaced view
    -- keeps its grants and whatever depends on it.
    EXECUTE format('CREATE OR REPLACE VIEW grid_stat_counts AS SELECT grid_id%s FROM grid_stat',
                   (SELECT string_agg(format(', %I', n), '' ORDER BY o)
                    FROM unnest(names) WITH ORDINALITY AS u (n, o)));
END $f$;
REVOKE ALL ON FUNCTION twin_stat_pack() FROM PUBLIC;

-- As 025's, then counts made again to hold the new column, unless the transaction packs once
-- after adding several (twin.pack_later, as a new layer's table does): each pack rewrites
-- grid_stat and leaves a dropped column, and dropped columns count towards the 1,600 limit.
CREATE OR REPLACE FUNCTION twin_stat_add_column(layer_name text, column_name text, predicate text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO twin_stat_column (name, layer, predicate)
    VALUES (column_name, layer_name, predicate);
    EXECUTE format('ALTER TABLE grid_stat ADD COLUMN %I bigint NOT NULL DEFAULT 0', column_name);
    PERFORM twin_stat_compile();
    IF current_setting('twin.pack_later', true) IS DISTINCT FROM 'on' THEN
        PERFORM twin_stat_pack();
    END IF;
END $$;

SELECT twin_stat_pack();
