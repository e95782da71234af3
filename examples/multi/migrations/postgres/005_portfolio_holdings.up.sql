-- portfolio holdings.
CREATE TABLE IF NOT EXISTS portfolio_holdings (
    id         BIGSERIAL PRIMARY KEY,
    user_id    VARCHAR(64) NOT NULL,
    payload    JSONB NOT NULL DEFAULT '{}'::jsonb,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_portfolio_holdings_user ON portfolio_holdings (user_id);
