-- Undo 0005: drop the moods table (and its id sequence).
DROP TABLE moods;
