-- Track when journal entries were last edited: an updated_at column kept by a trigger.
-- One plpgsql function serves both tables; its $$ body contains ';' (a splitter test).
ALTER TABLE personal_entries ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT now();
UPDATE personal_entries SET updated_at = created_at;
ALTER TABLE professional_entries ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT now();
UPDATE professional_entries SET updated_at = created_at;

CREATE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Leave an explicitly assigned updated_at alone.
    IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER personal_entries_set_updated_at
BEFORE UPDATE ON personal_entries
FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TRIGGER professional_entries_set_updated_at
BEFORE UPDATE ON professional_entries
FOR EACH ROW EXECUTE FUNCTION set_updated_at();
