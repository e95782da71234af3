-- Undo 0003: drop the personal_entries table.
DROP TABLE personal_entries;
