-- Undo 0006: drop the energy table (and its id sequence).
DROP TABLE energy;
