-- Energy level check-ins, from 1 (drained) to 10 (full of beans).
CREATE TABLE energy (
    id          BIGSERIAL PRIMARY KEY,
    day_id      BIGINT      NOT NULL REFERENCES days (id) ON DELETE CASCADE,
    level       SMALLINT    NOT NULL CHECK (level BETWEEN 1 AND 10),
    note        TEXT,
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
