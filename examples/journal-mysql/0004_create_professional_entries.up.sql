-- Work journal entries: what was done, for which project, and for how long.
CREATE TABLE professional_entries (
    id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    day_id     BIGINT UNSIGNED NOT NULL,
    project    VARCHAR(255),
    body       TEXT            NOT NULL,
    minutes    INT,
    created_at DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (id),
    KEY professional_entries_day_id_idx (day_id),
    CONSTRAINT professional_entries_minutes_check CHECK (minutes >= 0),
    CONSTRAINT professional_entries_day_fk FOREIGN KEY (day_id) REFERENCES days (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
