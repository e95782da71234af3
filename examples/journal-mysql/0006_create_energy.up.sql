-- Energy level check-ins, from 1 (drained) to 10 (full of beans).
CREATE TABLE energy (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    day_id      BIGINT UNSIGNED NOT NULL,
    level       TINYINT         NOT NULL,
    note        TEXT,
    recorded_at DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (id),
    KEY energy_day_id_idx (day_id),
    CONSTRAINT energy_level_check CHECK (level BETWEEN 1 AND 10),
    CONSTRAINT energy_day_fk FOREIGN KEY (day_id) REFERENCES days (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
