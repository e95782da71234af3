-- Track when journal entries were last edited: an updated_at column kept by triggers.
-- The trigger bodies contain ';', hence the client-side DELIMITER switch around them.
ALTER TABLE personal_entries
    ADD COLUMN updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6);
UPDATE personal_entries SET updated_at = created_at;
ALTER TABLE professional_entries
    ADD COLUMN updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6);
UPDATE professional_entries SET updated_at = created_at;

-- BEFORE UPDATE setting NEW.updated_at: a MariaDB/MySQL trigger may not UPDATE its own
-- table (error 1442). An explicitly assigned updated_at is left alone.
DELIMITER $$
CREATE TRIGGER personal_entries_set_updated_at
BEFORE UPDATE ON personal_entries
FOR EACH ROW
BEGIN
    IF NEW.updated_at <=> OLD.updated_at THEN
        SET NEW.updated_at = NOW(6);
    END IF;
END$$

CREATE TRIGGER professional_entries_set_updated_at
BEFORE UPDATE ON professional_entries
FOR EACH ROW
BEGIN
    IF NEW.updated_at <=> OLD.updated_at THEN
        SET NEW.updated_at = NOW(6);
    END IF;
END$$
DELIMITER ;
