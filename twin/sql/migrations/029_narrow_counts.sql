-- grid_stat.counts with each count in the fewest bytes all of a unit's counts fit in: 2
-- (int2send), as every small unit's do, 4 (int4send), or 8 (int8send, as 027 packed them).
-- A level's status read at metro size spent half its time sending the level's counts at 8
-- bytes each. The length of a unit's value says which width it holds (2, 4 or 8 bytes
-- times the count columns), so no count is ever cut short.
CREATE OR REPLACE FUNCTION twin_stat_pack() RETURNS void LANGUAGE plpgsql AS $f$
DECLARE
    names text[] := twin_stat_counts_columns();
    listed text := (SELECT string_agg(format('%I', n), ', ' ORDER BY o)
                    FROM unnest(names) WITH ORDINALITY AS u (n, o));
BEGIN
    EXECUTE format(
        'ALTER TABLE grid_stat DROP COLUMN IF EXISTS counts, '
        'ADD COLUMN counts bytea GENERATED ALWAYS AS (%s) STORED',
        CASE WHEN listed IS NULL THEN '''''::bytea'
             ELSE format('CASE WHEN %s THEN %s WHEN %s THEN %s ELSE %s END',
                         twin_stat_fits(listed, 32767), twin_stat_packed(names, 'int2'),
                         twin_stat_fits(listed, 2147483647), twin_stat_packed(names, 'int4'),
                         twin_stat_packed(names, 'int8')) END);
    -- Replaced, not dropped: columns are only ever added (at the end), and a replaced view
    -- keeps its grants and whatever depends on it.
    EXECUTE format('CREATE OR REPLACE VIEW grid_stat_counts AS SELECT grid_id%s FROM grid_stat',
                   (SELECT string_agg(format(', %I', n), '' ORDER BY o)
                    FROM unnest(names) WITH ORDINALITY AS u (n, o)));
END $f$;
REVOKE ALL ON FUNCTION twin_stat_pack() FROM PUBLIC;

-- Whether every listed column lies within +-bound (-bound - 1 .. bound), as SQL.
CREATE FUNCTION twin_stat_fits(listed text, bound bigint) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT format('greatest(%s) <= %s AND least(%s) >= %s', listed, bound, listed, -bound - 1)
$$;

-- The columns packed one after another in the width of a type (int2, int4, int8), as SQL.
CREATE FUNCTION twin_stat_packed(names text[], type text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT string_agg(format('%ssend(%I::%s)', type, n, type), ' || ' ORDER BY o)
    FROM unnest(names) WITH ORDINALITY AS u (n, o)
$$;

SELECT twin_stat_pack();
