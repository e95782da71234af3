-- One row per user and calendar day; everything recorded about a day hangs off it.
CREATE TABLE days (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day        TEXT    NOT NULL CHECK (day = date(day)),   -- ISO date, e.g. 2026-11-23
    summary    TEXT,
    created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (user_id, day)
);
