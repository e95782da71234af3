-- Undo 0007: drop the water_intake table.
DROP TABLE water_intake;
