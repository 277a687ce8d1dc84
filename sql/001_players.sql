-- 001_players.sql - players, their currencies and the ledger every balance change writes to.
CREATE TABLE users (
  id SERIAL PRIMARY KEY,
  discord_id TEXT UNIQUE NOT NULL,
  coins BIGINT NOT NULL DEFAULT 0 CHECK (coins >= 0),  -- Notes (free)
  discs BIGINT NOT NULL DEFAULT 0 CHECK (discs >= 0),  -- mid-tier currency
  gems BIGINT NOT NULL DEFAULT 0 CHECK (gems >= 0),    -- premium currency
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  last_daily TIMESTAMP WITH TIME ZONE
);

-- Every change to a balance writes one row here in the same transaction.
CREATE TABLE transactions (
  id BIGSERIAL PRIMARY KEY,
  user_id INT NOT NULL REFERENCES users(id),
  type TEXT NOT NULL,          -- 'daily','buy','sell','market_fee','purchase_real','grant', ...
  amount BIGINT NOT NULL,      -- signed: credits positive, debits negative
  currency TEXT NOT NULL CHECK (currency IN ('notes','discs','gems')),
  meta JSONB,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
CREATE INDEX transactions_user_idx ON transactions (user_id, created_at);

-- Per-player cooldowns shared by every instance (daily, openpack, draw, ...).
CREATE TABLE user_cooldowns (
  user_id INT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  command TEXT NOT NULL,
  expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (user_id, command)
);
