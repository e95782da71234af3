-- Free-form personal journal entries, several per day.
CREATE TABLE personal_entries (
    id         INTEGER PRIMARY KEY,
    day_id     INTEGER NOT NULL REFERENCES days (id) ON DELETE CASCADE,
    title      TEXT,
    body       TEXT    NOT NULL,
    created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
