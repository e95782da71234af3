-- Portfolio value over time.
CREATE TABLE IF NOT EXISTS portfolio_snapshots (
    user_id   VARCHAR(64) NOT NULL,
    taken_at  TIMESTAMPTZ NOT NULL,
    value     NUMERIC(18, 2) NOT NULL,
    PRIMARY KEY (user_id, taken_at)
);
