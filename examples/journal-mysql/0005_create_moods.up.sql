-- Mood check-ins during a day: a score from 1 (awful) to 5 (great) and an optional word.
CREATE TABLE moods (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    day_id      BIGINT UNSIGNED NOT NULL,
    score       TINYINT         NOT NULL,
    label       VARCHAR(64),
    recorded_at DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (id),
    KEY moods_day_id_idx (day_id),
    CONSTRAINT moods_score_check CHECK (score BETWEEN 1 AND 5),
    CONSTRAINT moods_day_fk FOREIGN KEY (day_id) REFERENCES days (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
