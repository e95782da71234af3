DROP TABLE IF EXISTS portfolio_snapshots;
