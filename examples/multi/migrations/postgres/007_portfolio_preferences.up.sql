-- portfolio preferences.
CREATE TABLE IF NOT EXISTS portfolio_preferences (
    id         BIGSERIAL PRIMARY KEY,
    user_id    VARCHAR(64) NOT NULL,
    payload    JSONB NOT NULL DEFAULT '{}'::jsonb,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_portfolio_preferences_user ON portfolio_preferences (user_id);
