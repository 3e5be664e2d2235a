-- Which of the given codes name units in force anywhere in the city.
-- params: codes text[]
-- columns: code
SELECT code FROM grid WHERE code = ANY(%(codes)s) ORDER BY code;
