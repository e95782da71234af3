DROP TABLE IF EXISTS portfolio_transactions;
