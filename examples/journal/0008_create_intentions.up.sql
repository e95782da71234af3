-- Intentions set for a day (morning), ticked off when done (evening), kept in order.
CREATE TABLE intentions (
    id         INTEGER PRIMARY KEY,
    day_id     INTEGER NOT NULL REFERENCES days (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL DEFAULT 0,
    body       TEXT    NOT NULL,
    done       INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
    created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
