-- Intentions set for a day (morning), ticked off when done (evening), kept in order.
CREATE TABLE intentions (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    day_id     BIGINT      NOT NULL REFERENCES days (id) ON DELETE CASCADE,
    position   INTEGER     NOT NULL DEFAULT 0,
    body       TEXT        NOT NULL,
    done       BOOLEAN     NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
