-- Undo 0002: drop the days table.
DROP TABLE days;
