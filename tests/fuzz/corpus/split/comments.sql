-- leading
SELECT 'a;b', "c;d"; /* x; */ SELECT 2;
-- trailing only
