-- Work journal entries: what was done, for which project, and for how long.
CREATE TABLE professional_entries (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    day_id     BIGINT      NOT NULL REFERENCES days (id) ON DELETE CASCADE,
    project    TEXT,
    body       TEXT        NOT NULL,
    minutes    INTEGER     CHECK (minutes >= 0),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
