-- Mood check-ins during a day: a score from 1 (awful) to 5 (great) and an optional word.
CREATE TABLE moods (
    id          INTEGER PRIMARY KEY,
    day_id      INTEGER NOT NULL REFERENCES days (id) ON DELETE CASCADE,
    score       INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    label       TEXT,
    recorded_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
