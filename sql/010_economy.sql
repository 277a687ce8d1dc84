-- 010_economy.sql - the economy's foundation: a double-entry ledger partitioned by month, the
-- game's own accounts, and the one place each owned copy is (free, locked, listed, trading or
-- gone), enforced by the database.
--
-- Money.  A balance lives on its owner's row (users.coins/discs/gems for players); every change
-- is one operation (op_id) written as ledger rows in the same transaction, and the rows of an
-- operation sum to zero in each currency: a sale moves the price from the buyer, the price minus
-- the fee to the seller and the fee to the bank; a daily claim moves Notes from the 'rewards'
-- account to the player.  The game's accounts keep no balance column (every purchase would
-- queue on that one row): their balance is the sum of their rows, and the accounts that issue
-- currency ('issues') go below zero by exactly what they issued.
CREATE TABLE system_accounts (
  name TEXT PRIMARY KEY,
  description TEXT NOT NULL,
  issues BOOLEAN NOT NULL -- creates the currency it pays out: its sum may be negative
);
INSERT INTO system_accounts (name, description, issues) VALUES
  ('bank', 'market fees (5% of every sale)', false),
  ('rewards', 'daily claims, missions and event rewards', true),
  ('shop', 'pack and draw prices, currency exchange', true),
  ('burns', 'cards sold back to the game', true),
  ('grants', 'currency granted by admins', true),
  ('purchases', 'Gems bought with real money', true),
  ('refunds', 'refunds for removed cards and failed purchases', true);

CREATE SEQUENCE ledger_op_seq;

-- One row per account and currency an operation touches.  Partitioned by the month of at
-- (now(): the transaction's start, so an operation's rows share one partition); migrate makes
-- partitions months ahead (ledger_ensure_partitions), and the default partition takes any row
-- no month partition does, so no write is ever refused.
CREATE TABLE ledger (
  id BIGSERIAL NOT NULL,
  op_id BIGINT NOT NULL,
  at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  kind TEXT NOT NULL,           -- 'daily','purchase','sale','market_fee','trade','gift','burn',...
  user_id INT REFERENCES users(id),
  system_account TEXT REFERENCES system_accounts(name),
  currency TEXT NOT NULL CHECK (currency IN ('notes','discs','gems')),
  amount BIGINT NOT NULL CHECK (amount <> 0), -- credits positive, debits negative
  meta JSONB,
  PRIMARY KEY (id, at),
  CHECK ((user_id IS NULL) <> (system_account IS NULL))
) PARTITION BY RANGE (at);
CREATE TABLE ledger_default PARTITION OF ledger DEFAULT;
CREATE INDEX ledger_user_idx ON ledger (user_id, at) WHERE user_id IS NOT NULL;
CREATE INDEX ledger_op_idx ON ledger (op_id);
-- Rows arrive in time order: a BRIN index finds "everything since the last audit" in a
-- partition for a few pages of index.
CREATE INDEX ledger_at_brin ON ledger USING brin (at);

-- Makes the month partitions from the month of since through months_ahead months after now.
-- A month whose rows are sitting in the default partition (the partitions were not made in
-- time) gets its partition anyway: its rows move out of the default first, in this transaction.
CREATE FUNCTION ledger_ensure_partitions(since TIMESTAMP WITH TIME ZONE, months_ahead INT)
RETURNS INT LANGUAGE plpgsql AS $$
DECLARE
  m DATE := date_trunc('month', least(since, now()) AT TIME ZONE 'UTC')::date;
  last DATE := (date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => months_ahead))::date;
  made INT := 0;
  part TEXT;
  lo TIMESTAMP WITH TIME ZONE;
  hi TIMESTAMP WITH TIME ZONE;
BEGIN
  WHILE m <= last LOOP
    part := format('ledger_%s', to_char(m, 'YYYY_MM'));
    lo := m::timestamp AT TIME ZONE 'UTC';
    hi := (m + interval '1 month')::timestamp AT TIME ZONE 'UTC';
    IF to_regclass(part) IS NULL THEN
      LOCK TABLE ledger_default IN ACCESS EXCLUSIVE MODE;
      EXECUTE format('CREATE TABLE %I (LIKE ledger INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
      EXECUTE format('WITH moved AS (DELETE FROM ledger_default WHERE at >= $1 AND at < $2 RETURNING *)'
                     ' INSERT INTO %I SELECT * FROM moved', part) USING lo, hi;
      EXECUTE format('ALTER TABLE ledger ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
      made := made + 1;
    END IF;
    m := (m + interval '1 month')::date;
  END LOOP;
  RETURN made;
END
$$;

-- The ledger starts with what the old transactions table recorded (daily claims and pack and
-- draw prices), each row now one operation with the game's side written out.
SELECT ledger_ensure_partitions(coalesce((SELECT min(created_at) FROM transactions), now()), 3);
INSERT INTO ledger (op_id, at, kind, user_id, system_account, currency, amount, meta)
SELECT o.op_id, t.created_at, t.type, side.user_id, side.system_account, t.currency, side.amount, t.meta
  FROM (SELECT t.*, nextval('ledger_op_seq') AS op_id FROM transactions t ORDER BY t.id) t
  CROSS JOIN LATERAL (SELECT t.op_id) o
  CROSS JOIN LATERAL (VALUES (t.user_id, NULL::text, t.amount),
                             (NULL::int, CASE WHEN t.type = 'daily' THEN 'rewards' ELSE 'shop' END, -t.amount)) side(user_id, system_account, amount)
 WHERE t.amount <> 0;
DROP TABLE transactions;
-- The spec's name for a player's own history.
CREATE VIEW transactions AS
  SELECT id, user_id, kind AS type, amount, currency, meta, at AS created_at, op_id
    FROM ledger WHERE user_id IS NOT NULL;

-- Cards.  Each owned copy is in exactly one state; 'gone' copies (burned) keep their row so a
-- print number is never handed out twice.  A listing or a trade offer can only point at a copy
-- in the matching state (composite foreign keys on (id, state)), so a copy can never be listed
-- and offered at once, and its state cannot change while the listing or offer is open.
ALTER TABLE user_cards ADD COLUMN state TEXT NOT NULL DEFAULT 'free'
  CHECK (state IN ('free','locked','listed','trading','gone'));
UPDATE user_cards SET state = 'locked' WHERE is_locked;
ALTER TABLE user_cards DROP COLUMN is_locked;
ALTER TABLE user_cards ADD CONSTRAINT user_cards_id_state UNIQUE (id, state);
-- A player's copies by state (autocomplete lists free ones first; counts on /profile).
CREATE INDEX user_cards_user_state_idx ON user_cards (user_id, state);

-- Every change of a copy's owner, in the operation that made it (the card side of the ledger).
CREATE TABLE card_moves (
  id BIGSERIAL PRIMARY KEY,
  op_id BIGINT NOT NULL,
  user_card_id BIGINT NOT NULL REFERENCES user_cards(id),
  from_user INT REFERENCES users(id),  -- NULL: minted
  to_user INT REFERENCES users(id),    -- NULL: burned
  kind TEXT NOT NULL,                  -- 'sale','trade','gift','burn','transfer'
  at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
CREATE INDEX card_moves_card_idx ON card_moves (user_card_id, at);
CREATE INDEX card_moves_from_idx ON card_moves (from_user, at);
CREATE INDEX card_moves_to_idx ON card_moves (to_user, at);

-- The marketplace.  An active listing holds its copy in escrow (state 'listed').
CREATE TABLE market_listings (
  id BIGSERIAL PRIMARY KEY,
  user_card_id BIGINT NOT NULL REFERENCES user_cards(id),
  seller_id INT NOT NULL REFERENCES users(id),
  card_id BIGINT NOT NULL,            -- user_cards.card_id, for /market's filters and /viewcard
  price BIGINT NOT NULL CHECK (price BETWEEN 1 AND 1000000000),
  currency TEXT NOT NULL CHECK (currency IN ('notes','discs','gems')),
  scope TEXT NOT NULL CHECK (scope IN ('server','global')),
  guild_id TEXT,                      -- where it was listed; server scope is buyable only there
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','sold','unlisted','expired','cancelled')),
  buyer_id INT REFERENCES users(id),
  op_id BIGINT,                       -- the sale's ledger operation
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
  closed_at TIMESTAMP WITH TIME ZONE,
  copy_state TEXT GENERATED ALWAYS AS (CASE WHEN status = 'active' THEN 'listed' END) STORED,
  FOREIGN KEY (user_card_id, copy_state) REFERENCES user_cards (id, state),
  CHECK (scope = 'global' OR guild_id IS NOT NULL),
  CHECK ((status = 'sold') = (buyer_id IS NOT NULL AND op_id IS NOT NULL))
);
CREATE UNIQUE INDEX market_listings_one_active ON market_listings (user_card_id) WHERE status = 'active';
CREATE INDEX market_listings_seller_idx ON market_listings (seller_id) WHERE status = 'active';
CREATE INDEX market_listings_expiry_idx ON market_listings (expires_at) WHERE status = 'active';
CREATE INDEX market_listings_sold_idx ON market_listings (card_id, closed_at) WHERE status = 'sold';

-- Trades.  One open trade per player (trade_players' primary key); each side's offer is its
-- copies (escrowed: state 'trading') and its currency (checked at add and at completion).
-- version counts changes to the offer; a confirmation names the version it was given on.
CREATE TABLE trades (
  id BIGSERIAL PRIMARY KEY,
  a_id INT NOT NULL REFERENCES users(id),   -- who started it
  b_id INT NOT NULL REFERENCES users(id),
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','done','cancelled','expired','failed')),
  version INT NOT NULL DEFAULT 1,
  a_confirmed INT,                          -- the version A confirmed, NULL: not confirmed
  b_confirmed INT,
  a_notes BIGINT NOT NULL DEFAULT 0 CHECK (a_notes >= 0),
  a_discs BIGINT NOT NULL DEFAULT 0 CHECK (a_discs >= 0),
  a_gems BIGINT NOT NULL DEFAULT 0 CHECK (a_gems >= 0),
  b_notes BIGINT NOT NULL DEFAULT 0 CHECK (b_notes >= 0),
  b_discs BIGINT NOT NULL DEFAULT 0 CHECK (b_discs >= 0),
  b_gems BIGINT NOT NULL DEFAULT 0 CHECK (b_gems >= 0),
  changed_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), -- confirming waits 5 s after it
  last_change TEXT,                         -- what the last change was, for the trade message
  op_id BIGINT,                             -- the swap's ledger operation
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
  closed_at TIMESTAMP WITH TIME ZONE,
  close_reason TEXT,
  CHECK (a_id <> b_id)
);
CREATE INDEX trades_open_expiry_idx ON trades (expires_at) WHERE status = 'open';

CREATE TABLE trade_players (
  user_id INT PRIMARY KEY REFERENCES users(id),
  trade_id BIGINT NOT NULL REFERENCES trades(id) ON DELETE CASCADE
);

CREATE TABLE trade_cards (
  id BIGSERIAL PRIMARY KEY,
  trade_id BIGINT NOT NULL REFERENCES trades(id),
  user_card_id BIGINT NOT NULL REFERENCES user_cards(id),
  from_user INT NOT NULL REFERENCES users(id),
  active BOOLEAN NOT NULL DEFAULT true,    -- false once removed, swapped or released
  added_version INT NOT NULL,
  copy_state TEXT GENERATED ALWAYS AS (CASE WHEN active THEN 'trading' END) STORED,
  FOREIGN KEY (user_card_id, copy_state) REFERENCES user_cards (id, state)
);
CREATE UNIQUE INDEX trade_cards_one_active ON trade_cards (user_card_id) WHERE active;
CREATE INDEX trade_cards_trade_idx ON trade_cards (trade_id) WHERE active;

-- Gifts, for the daily caps (per giver and per receiver) and the admins' view.
CREATE TABLE gifts (
  id BIGSERIAL PRIMARY KEY,
  giver_id INT NOT NULL REFERENCES users(id),
  receiver_id INT NOT NULL REFERENCES users(id),
  user_card_id BIGINT REFERENCES user_cards(id),
  notes BIGINT NOT NULL DEFAULT 0,
  discs BIGINT NOT NULL DEFAULT 0,
  gems BIGINT NOT NULL DEFAULT 0,
  op_id BIGINT NOT NULL,
  at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  CHECK (giver_id <> receiver_id)
);
CREATE INDEX gifts_giver_idx ON gifts (giver_id, at);
CREATE INDEX gifts_receiver_idx ON gifts (receiver_id, at);

-- Patterns that look like farming (many one-way transfers to one account within a day, young
-- accounts), recorded for admins; nothing is refused because of a flag.
CREATE TABLE abuse_flags (
  id BIGSERIAL PRIMARY KEY,
  kind TEXT NOT NULL,                 -- 'one_way_transfers', 'young_account', ...
  from_user INT REFERENCES users(id),
  to_user INT REFERENCES users(id),
  op_id BIGINT,
  detail JSONB,
  reviewed BOOLEAN NOT NULL DEFAULT false,
  at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
CREATE INDEX abuse_flags_open_idx ON abuse_flags (at) WHERE NOT reviewed;

-- Whole-account moves (/transfer_data), at most one per account every 30 days.
CREATE TABLE data_transfers (
  id BIGSERIAL PRIMARY KEY,
  from_user INT NOT NULL REFERENCES users(id),
  to_user INT REFERENCES users(id),        -- NULL until the target has an account
  to_discord_id TEXT NOT NULL,
  mode TEXT CHECK (mode IN ('move','merge')),
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','done','cancelled','expired')),
  op_id BIGINT,
  detail JSONB,                            -- what moved: balances, copies, listings cancelled
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
  closed_at TIMESTAMP WITH TIME ZONE
);
CREATE UNIQUE INDEX data_transfers_one_pending ON data_transfers (from_user) WHERE status = 'pending';
CREATE INDEX data_transfers_from_idx ON data_transfers (from_user, closed_at) WHERE status = 'done';
