-- Work journal entries: what was done, for which project, and for how long.
CREATE TABLE professional_entries (
    id         INTEGER PRIMARY KEY,
    day_id     INTEGER NOT NULL REFERENCES days (id) ON DELETE CASCADE,
    project    TEXT,
    body       TEXT    NOT NULL,
    minutes    INTEGER CHECK (minutes IS NULL OR minutes >= 0),
    created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
