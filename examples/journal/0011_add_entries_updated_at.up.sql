-- Track when journal entries were last edited: an updated_at column kept by triggers.
-- SQLite cannot ADD COLUMN with a non-constant default, so triggers fill it on insert too.
ALTER TABLE personal_entries ADD COLUMN updated_at TEXT;
UPDATE personal_entries SET updated_at = created_at;

CREATE TRIGGER personal_entries_set_updated_at_insert
AFTER INSERT ON personal_entries
FOR EACH ROW WHEN NEW.updated_at IS NULL
BEGIN
    UPDATE personal_entries SET updated_at = NEW.created_at WHERE rowid = NEW.rowid;
END;

-- The WHEN clause leaves an explicit updated_at alone and stops the trigger from
-- re-firing itself if recursive_triggers is ever switched on.
CREATE TRIGGER personal_entries_set_updated_at
AFTER UPDATE ON personal_entries
FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE personal_entries
       SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
     WHERE rowid = NEW.rowid;
END;

ALTER TABLE professional_entries ADD COLUMN updated_at TEXT;
UPDATE professional_entries SET updated_at = created_at;

CREATE TRIGGER professional_entries_set_updated_at_insert
AFTER INSERT ON professional_entries
FOR EACH ROW WHEN NEW.updated_at IS NULL
BEGIN
    UPDATE professional_entries SET updated_at = NEW.created_at WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER professional_entries_set_updated_at
AFTER UPDATE ON professional_entries
FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE professional_entries
       SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
     WHERE rowid = NEW.rowid;
END;
