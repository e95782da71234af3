-- Undo 0007: drop the water_intake table (and its id sequence).
DROP TABLE water_intake;
