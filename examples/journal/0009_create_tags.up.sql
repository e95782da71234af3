-- Tagging days: shared tag categories, each user's own tags, and the day_tags join table.
CREATE TABLE tag_categories (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT
);

CREATE TABLE tags (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category_id INTEGER REFERENCES tag_categories (id) ON DELETE SET NULL,
    name        TEXT    NOT NULL,
    UNIQUE (user_id, name)
);

CREATE TABLE day_tags (
    day_id INTEGER NOT NULL REFERENCES days (id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (day_id, tag_id)
) WITHOUT ROWID;
