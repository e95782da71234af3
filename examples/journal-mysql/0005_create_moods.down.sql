-- Undo 0005: drop the moods table.
DROP TABLE moods;
