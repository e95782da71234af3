-- Undo 0004: drop the professional_entries table.
DROP TABLE professional_entries;
