\set x 1
SELECT :x;
\echo done
