-- Mood check-ins during a day: a score from 1 (awful) to 5 (great) and an optional word.
CREATE TABLE moods (
    id          BIGSERIAL PRIMARY KEY,
    day_id      BIGINT      NOT NULL REFERENCES days (id) ON DELETE CASCADE,
    score       SMALLINT    NOT NULL CHECK (score BETWEEN 1 AND 5),
    label       TEXT,
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
