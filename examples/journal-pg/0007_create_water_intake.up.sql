-- Water drunk during a day, one row per glass or bottle, in millilitres.
CREATE TABLE water_intake (
    id          BIGSERIAL PRIMARY KEY,
    day_id      BIGINT      NOT NULL REFERENCES days (id) ON DELETE CASCADE,
    amount_ml   INTEGER     NOT NULL CHECK (amount_ml > 0 AND amount_ml <= 5000),
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
