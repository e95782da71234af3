-- Free-form personal journal entries, several per day.
CREATE TABLE personal_entries (
    id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    day_id     BIGINT UNSIGNED NOT NULL,
    title      VARCHAR(255),
    body       TEXT            NOT NULL,
    created_at DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (id),
    KEY personal_entries_day_id_idx (day_id),
    CONSTRAINT personal_entries_day_fk FOREIGN KEY (day_id) REFERENCES days (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
