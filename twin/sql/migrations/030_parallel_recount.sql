-- A layer's recount with its per-unit sums made by a parallel query. twin_stat_sql's
-- INSERT ... SELECT can never run in parallel, and a direct load of a million points spent
-- about 1 s in it; the sums alone, as CREATE TABLE AS, are made by two workers in half that.
-- The sums and the roll-up keep one definition: twin_stat_sql is now written from the two.

-- Each unit's signed sum of every count column of the layer over some rows (sign, *), as SQL.
CREATE FUNCTION twin_stat_unit_sums(layer_name text, signed_rows text) RETURNS text
LANGUAGE sql STABLE AS $f$
    SELECT format('SELECT r.grid_id, %s FROM (%s) r GROUP BY r.grid_id',
        string_agg(format('coalesce(sum(r.sign) FILTER (WHERE %s), 0) AS %I', predicate, name),
                   ', ' ORDER BY name),
        signed_rows)
    FROM twin_stat_column WHERE layer = layer_name
$f$;

-- Per-unit sums (grid_id and the layer's count columns) added to grid_stat, rolled up to
-- every ancestor, as SQL.
CREATE FUNCTION twin_stat_add_sql(layer_name text, unit_sums text) RETURNS text
LANGUAGE sql STABLE AS $f$
    SELECT format($q$
        INSERT INTO grid_stat AS s (grid_id, %1$s)
        SELECT coalesce(a.ancestor_id, 0), %2$s
        FROM (%3$s) d
        LEFT JOIN grid_ancestor a ON a.grid_id = d.grid_id
        GROUP BY 1
        HAVING %4$s
        ORDER BY 1  -- one lock order for concurrent writers
        ON CONFLICT (grid_id) DO UPDATE SET %5$s
    $q$,
        string_agg(format('%I', name), ', ' ORDER BY name),
        string_agg(format('sum(d.%I)', name), ', ' ORDER BY name),
        unit_sums,
        string_agg(format('sum(d.%I) <> 0', name), ' OR ' ORDER BY name),
        string_agg(format('%1$I = s.%1$I + excluded.%1$I', name), ', ' ORDER BY name))
    FROM twin_stat_column WHERE layer = layer_name
$f$;

-- As 006's, written from the two above (the same statement, character for character).
CREATE OR REPLACE FUNCTION twin_stat_sql(layer_name text, signed_rows text) RETURNS text
LANGUAGE sql STABLE AS $f$
    SELECT twin_stat_add_sql(layer_name, twin_stat_unit_sums(layer_name, signed_rows))
$f$;

-- As 020's, with the per-unit sums made first, by a parallel CREATE TABLE AS.
CREATE OR REPLACE FUNCTION twin_stat_rebuild(layer_name text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM twin_stat_lock(layer_name);
    EXECUTE (SELECT format('UPDATE grid_stat SET %s',
                           string_agg(format('%I = 0', name), ', ' ORDER BY name))
             FROM twin_stat_column WHERE layer = layer_name);
    DROP TABLE IF EXISTS pg_temp.twin_stat_sums;
    EXECUTE format('CREATE TEMP TABLE twin_stat_sums ON COMMIT DROP AS %s',
                   twin_stat_unit_sums(layer_name, format('SELECT 1 AS sign, * FROM %I',
                                                          layer_name)));
    EXECUTE twin_stat_add_sql(layer_name, 'SELECT * FROM pg_temp.twin_stat_sums');
    DROP TABLE pg_temp.twin_stat_sums;
END $$;
