DROP TABLE IF EXISTS portfolio_preferences;
