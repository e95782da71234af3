-- Undo 0011: drop the triggers, their function and the updated_at columns.
DROP TRIGGER professional_entries_set_updated_at ON professional_entries;
DROP TRIGGER personal_entries_set_updated_at ON personal_entries;
DROP FUNCTION set_updated_at();
ALTER TABLE professional_entries DROP COLUMN updated_at;
ALTER TABLE personal_entries DROP COLUMN updated_at;
