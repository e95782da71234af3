-- Emotional memories: one row per detected emotion in an episode.
CREATE TABLE IF NOT EXISTS emotional_memories (
    id          BIGSERIAL PRIMARY KEY,
    user_id     VARCHAR(64) NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    emotion     VARCHAR(32) NOT NULL,
    intensity   REAL NOT NULL CHECK (intensity BETWEEN 0 AND 1)
);
