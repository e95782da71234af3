-- Water drunk during a day, one row per glass or bottle, in millilitres.
CREATE TABLE water_intake (
    id          INTEGER PRIMARY KEY,
    day_id      INTEGER NOT NULL REFERENCES days (id) ON DELETE CASCADE,
    amount_ml   INTEGER NOT NULL CHECK (amount_ml > 0 AND amount_ml <= 5000),
    recorded_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
