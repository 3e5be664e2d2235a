-- grid_stat.counts with each count in 4 bytes (int4send) when all of a unit's counts fit in
-- them, as every real unit's do, and in 8 (int8send, as 027 packed them) when one does not.
-- A level's status read at metro size spent half its time sending the level's counts: 4
-- bytes halve that, and the length of a unit's value says which width it holds (4 or 8
-- bytes times the count columns), so no count is ever cut short.
CREATE OR REPLACE FUNCTION twin_stat_pack() RETURNS void LANGUAGE plpgsql AS $f$
DECLARE
    names text[] := twin_stat_counts_columns();
    listed text := (SELECT string_agg(format('%I', n), ', ' ORDER BY o)
                    FROM unnest(names) WITH ORDINALITY AS u (n, o));
    narrow text := (SELECT string_agg(format('int4send(%I::int4)', n), ' || ' ORDER BY o)
                    FROM unnest(names) WITH ORDINALITY AS u (n, o));
    wide text := (SELECT string_agg(format('int8send(%I)', n), ' || ' ORDER BY o)
                  FROM unnest(names) WITH ORDINALITY AS u (n, o));
BEGIN
    EXECUTE format(
        'ALTER TABLE grid_stat DROP COLUMN IF EXISTS counts, '
        'ADD COLUMN counts bytea GENERATED ALWAYS AS (%s) STORED',
        CASE WHEN listed IS NULL THEN '''''::bytea'
             ELSE format('CASE WHEN greatest(%s) <= 2147483647 AND least(%s) >= -2147483648'
                         ' THEN %s ELSE %s END', listed, listed, narrow, wide) END);
    -- Replaced, not dropped: columns are only ever added (at the end), and a replaced view
    -- keeps its grants and whatever depends on it.
    EXECUTE format('CREATE OR REPLACE VIEW grid_stat_counts AS SELECT grid_id%s FROM grid_stat',
                   (SELECT string_agg(format(', %I', n), '' ORDER BY o)
                    FROM unnest(names) WITH ORDINALITY AS u (n, o)));
END $f$;
REVOKE ALL ON FUNCTION twin_stat_pack() FROM PUBLIC;

SELECT twin_stat_pack();
