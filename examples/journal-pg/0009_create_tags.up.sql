-- Tagging days: shared tag categories, each user's own tags, and the day_tags join table.
CREATE TABLE tag_categories (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT
);

CREATE TABLE tags (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category_id BIGINT REFERENCES tag_categories (id) ON DELETE SET NULL,
    name        TEXT   NOT NULL,
    UNIQUE (user_id, name)
);

CREATE TABLE day_tags (
    day_id BIGINT NOT NULL REFERENCES days (id) ON DELETE CASCADE,
    tag_id BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (day_id, tag_id)
);
