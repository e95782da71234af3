-- Episodic memories: what happened, when, how it felt.
CREATE TABLE IF NOT EXISTS episodic_memories (
    id          BIGSERIAL,
    user_id     VARCHAR(64) NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    summary     TEXT NOT NULL,
    valence     REAL,
    PRIMARY KEY (id, occurred_at)
);
CREATE INDEX IF NOT EXISTS idx_episodic_user_time ON episodic_memories (user_id, occurred_at DESC);
