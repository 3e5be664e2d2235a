-- The counting trigger as static SQL. PL/pgSQL keeps a static statement's plan for the
-- session, but plans an EXECUTE again at every call: each case insert built (0.9 ms) and
-- planned (4.7 ms) its upsert of about 50 FILTER sums, most of the insert's time.
-- twin_stat_trigger()'s body is now written from twin_stat_column (still the one definition
-- of the columns, through twin_stat_sql) by twin_stat_compile, which twin_stat_add_column
-- calls: a new column is counted from the next statement on, in every session.

-- The trigger's body for the columns twin_stat_column holds now: one branch per layer and
-- event, each the upsert twin_stat_sql gives; a layer with no branch (none: tracking a layer
-- adds its total column) counts through the dynamic upsert as before.
CREATE FUNCTION twin_stat_trigger_source() RETURNS text LANGUAGE sql STABLE AS $f$
    SELECT format($b$
#variable_conflict use_column
BEGIN
    IF current_setting('twin.defer_stats', true) = 'on' AND twin_bulk_trusted() THEN
        RETURN NULL;
    END IF;
    PERFORM twin_stat_lock(TG_TABLE_NAME);
    CASE TG_TABLE_NAME%s
    ELSE
        EXECUTE twin_stat_sql(TG_TABLE_NAME, CASE TG_OP
            WHEN 'INSERT' THEN 'SELECT 1 AS sign, * FROM new_rows'
            WHEN 'DELETE' THEN 'SELECT -1 AS sign, * FROM old_rows'
            ELSE 'SELECT 1 AS sign, * FROM new_rows UNION ALL SELECT -1, * FROM old_rows'
        END);
    END CASE;
    RETURN NULL;
END
$b$, coalesce(string_agg(format($w$
    WHEN %L THEN
        IF TG_OP = 'INSERT' THEN%s;
        ELSIF TG_OP = 'DELETE' THEN%s;
        ELSE%s;
        END IF;$w$,
        l.layer,
        twin_stat_sql(l.layer, 'SELECT 1 AS sign, * FROM new_rows'),
        twin_stat_sql(l.layer, 'SELECT -1 AS sign, * FROM old_rows'),
        twin_stat_sql(l.layer,
                      'SELECT 1 AS sign, * FROM new_rows UNION ALL SELECT -1, * FROM old_rows')),
        '' ORDER BY l.layer), ''))
    FROM twin_point_layer l
    WHERE EXISTS (SELECT 1 FROM twin_stat_column c WHERE c.layer = l.layer)
$f$;

-- Rewrite twin_stat_trigger() from the columns now. CREATE OR REPLACE keeps the owner and the
-- grants but not the settings, so the search path it was given (020) is carried over.
CREATE FUNCTION twin_stat_compile() RETURNS void LANGUAGE plpgsql AS $f$
DECLARE
    body text := twin_stat_trigger_source();
    path text := (SELECT o.option_value
                  FROM pg_proc p CROSS JOIN LATERAL pg_options_to_table(p.proconfig) o
                  WHERE p.oid = 'twin_stat_trigger()'::regprocedure
                    AND o.option_name = 'search_path');
BEGIN
    IF path IS NULL THEN
        RAISE EXCEPTION 'twin_stat_trigger() has no search_path setting to keep';
    END IF;
    IF strpos(body, '$twin_stat$') > 0 THEN  -- (a predicate would end the quoted body)
        RAISE EXCEPTION 'a twin_stat_column predicate holds the quote $twin_stat$';
    END IF;
    EXECUTE format('CREATE OR REPLACE FUNCTION twin_stat_trigger() RETURNS trigger '
                   'LANGUAGE plpgsql SECURITY DEFINER SET search_path = %s '
                   'AS $twin_stat$%s$twin_stat$', path, body);
END $f$;
REVOKE ALL ON FUNCTION twin_stat_compile() FROM PUBLIC;

-- As 006's, then the trigger rewritten to count the new column.
CREATE OR REPLACE FUNCTION twin_stat_add_column(layer_name text, column_name text, predicate text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO twin_stat_column (name, layer, predicate)
    VALUES (column_name, layer_name, predicate);
    EXECUTE format('ALTER TABLE grid_stat ADD COLUMN %I bigint NOT NULL DEFAULT 0', column_name);
    PERFORM twin_stat_compile();
END $$;

SELECT twin_stat_compile();
