/*!40101 SET @x = 1; */; SELECT 1--1; # c
SELECT 2 -- c
;