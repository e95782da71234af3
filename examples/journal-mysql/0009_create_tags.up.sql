-- Tagging days: shared tag categories, each user's own tags, and the day_tags join table.

-- Foreign-key columns get explicit indexes, as in every table here: InnoDB would create
-- one implicitly otherwise, and silently drop it again when a later index can serve the key.
CREATE TABLE tag_categories (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    name        VARCHAR(64)     NOT NULL,
    description VARCHAR(255),
    PRIMARY KEY (id),
    UNIQUE KEY tag_categories_name_key (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE tags (
    id          BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
    user_id     BIGINT UNSIGNED NOT NULL,
    category_id BIGINT UNSIGNED,
    name        VARCHAR(64)     NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY tags_user_name_key (user_id, name),
    KEY tags_category_id_idx (category_id),
    CONSTRAINT tags_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT tags_category_fk FOREIGN KEY (category_id) REFERENCES tag_categories (id)
        ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE day_tags (
    day_id BIGINT UNSIGNED NOT NULL,
    tag_id BIGINT UNSIGNED NOT NULL,
    PRIMARY KEY (day_id, tag_id),
    KEY day_tags_tag_id_idx (tag_id),
    CONSTRAINT day_tags_day_fk FOREIGN KEY (day_id) REFERENCES days (id) ON DELETE CASCADE,
    CONSTRAINT day_tags_tag_fk FOREIGN KEY (tag_id) REFERENCES tags (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
