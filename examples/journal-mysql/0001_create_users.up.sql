-- Users of the diary: one row per person who keeps a journal.
-- (utf8mb4_unicode_ci compares case-insensitively, so the email key does too.)
CREATE TABLE users (
    id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    email        VARCHAR(255)    NOT NULL,
    display_name VARCHAR(255)    NOT NULL,
    timezone     VARCHAR(64)     NOT NULL DEFAULT 'UTC',
    created_at   DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    PRIMARY KEY (id),
    UNIQUE KEY users_email_key (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
