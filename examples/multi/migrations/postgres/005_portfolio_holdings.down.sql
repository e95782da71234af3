DROP TABLE IF EXISTS portfolio_holdings;
