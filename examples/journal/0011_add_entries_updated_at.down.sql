-- Undo 0011: drop the updated_at triggers, then the columns (DROP COLUMN: SQLite >= 3.35).
DROP TRIGGER professional_entries_set_updated_at;
DROP TRIGGER professional_entries_set_updated_at_insert;
ALTER TABLE professional_entries DROP COLUMN updated_at;

DROP TRIGGER personal_entries_set_updated_at;
DROP TRIGGER personal_entries_set_updated_at_insert;
ALTER TABLE personal_entries DROP COLUMN updated_at;
