-- Whether the store holds the generated demo city (the simulator animates nothing else).
-- params: key text (the demo's twin_meta key)
-- columns: key
SELECT key FROM twin_meta WHERE key = %(key)s;
