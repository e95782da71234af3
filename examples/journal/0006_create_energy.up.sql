-- Energy level check-ins, from 1 (drained) to 10 (full of beans).
CREATE TABLE energy (
    id          INTEGER PRIMARY KEY,
    day_id      INTEGER NOT NULL REFERENCES days (id) ON DELETE CASCADE,
    level       INTEGER NOT NULL CHECK (level BETWEEN 1 AND 10),
    note        TEXT,
    recorded_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
