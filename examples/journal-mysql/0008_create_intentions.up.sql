-- Intentions set for a day (morning), ticked off when done (evening), kept in order.
CREATE TABLE intentions (
    id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    day_id     BIGINT UNSIGNED NOT NULL,
    position   INT             NOT NULL DEFAULT 0,
    body       TEXT            NOT NULL,
    done       BOOLEAN         NOT NULL DEFAULT FALSE,
    created_at DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (id),
    KEY intentions_day_id_idx (day_id),
    CONSTRAINT intentions_day_fk FOREIGN KEY (day_id) REFERENCES days (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
