-- Free-form personal journal entries, several per day.
CREATE TABLE personal_entries (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    day_id     BIGINT      NOT NULL REFERENCES days (id) ON DELETE CASCADE,
    title      TEXT,
    body       TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
