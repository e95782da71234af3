.headers on
SELECT 1;
