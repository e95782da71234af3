-- Water drunk during a day, one row per glass or bottle, in millilitres.
CREATE TABLE water_intake (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    day_id      BIGINT UNSIGNED NOT NULL,
    amount_ml   INT             NOT NULL,
    recorded_at DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (id),
    KEY water_intake_day_id_idx (day_id),
    CONSTRAINT water_intake_amount_check CHECK (amount_ml > 0 AND amount_ml <= 5000),
    CONSTRAINT water_intake_day_fk FOREIGN KEY (day_id) REFERENCES days (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
