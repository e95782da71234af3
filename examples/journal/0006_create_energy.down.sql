-- Undo 0006: drop the energy table.
DROP TABLE energy;
