-- 018_payments.sql - real money: every payment from Discord's premium SKUs or Stripe Checkout
-- as one row, the webhook events already handled, refunds that arrived before their payment,
-- Gems owed after a clawback, and memberships.
--
-- A payment is granted once: provider_id (the entitlement id, or the Checkout Session id) is
-- unique per provider, and the row is inserted in the transaction that pays the Gems from the
-- 'purchases' account (op_id).  A clawback takes the Gems back in its own ledger operation
-- (clawback_op_id); what the player had already spent is owed (debt_gems, and gem_debts).
CREATE TABLE payments (
  id BIGSERIAL PRIMARY KEY,
  provider TEXT NOT NULL CHECK (provider IN ('discord', 'stripe')),
  provider_id TEXT NOT NULL,          -- entitlement id, or cs_... session id
  provider_ref TEXT,                  -- Stripe's payment_intent (refunds and disputes name it)
  user_id INT NOT NULL REFERENCES users(id),
  bundle TEXT NOT NULL,
  gems BIGINT NOT NULL CHECK (gems >= 0),
  days INT NOT NULL DEFAULT 0 CHECK (days >= 0), -- days of membership it added
  amount BIGINT CHECK (amount >= 0),  -- money in the currency's minor unit (cents), if known
  currency TEXT CHECK (currency ~ '^[a-z]{3}$'),
  state TEXT NOT NULL DEFAULT 'granted' CHECK (state IN ('granted', 'clawed_back')),
  op_id BIGINT,                       -- the grant's ledger operation (NULL: no Gems, a membership)
  clawback_op_id BIGINT,              -- the clawback's operation (NULL: nothing was there to take)
  clawed_gems BIGINT NOT NULL DEFAULT 0 CHECK (clawed_gems >= 0),
  debt_gems BIGINT NOT NULL DEFAULT 0 CHECK (debt_gems >= 0),
  clawback_reason TEXT,               -- 'refund', 'dispute', 'deleted'
  raw JSONB NOT NULL,                 -- the event (or entitlement) that granted it, as received
  clawback_raw JSONB,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  clawed_back_at TIMESTAMP WITH TIME ZONE,
  UNIQUE (provider, provider_id),
  CHECK ((state = 'clawed_back') = (clawed_back_at IS NOT NULL)),
  CHECK (clawed_gems + debt_gems <= gems)
);
CREATE INDEX payments_user_idx ON payments (user_id, id);
CREATE UNIQUE INDEX payments_ref_idx ON payments (provider, provider_ref) WHERE provider_ref IS NOT NULL;

-- Each provider event handled, by its id (Stripe's evt_..., or Discord's entitlement id with
-- the event type and timestamp): a redelivery finds its row and changes nothing.
CREATE TABLE payment_events (
  provider TEXT NOT NULL CHECK (provider IN ('discord', 'stripe')),
  event_id TEXT NOT NULL,
  type TEXT NOT NULL,
  received_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  outcome TEXT NOT NULL,              -- 'granted', 'duplicate', 'clawed_back', 'ignored', ...
  raw JSONB NOT NULL,
  PRIMARY KEY (provider, event_id)
);
CREATE INDEX payment_events_at_idx ON payment_events (received_at);

-- A refund or dispute for a payment not granted yet (events arrive out of order): the grant
-- finds it and does not pay.  ref is the provider_id or the provider_ref it names.
CREATE TABLE payment_reversals (
  provider TEXT NOT NULL CHECK (provider IN ('discord', 'stripe')),
  ref TEXT NOT NULL,
  reason TEXT NOT NULL,
  raw JSONB NOT NULL,
  at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, ref)
);

-- Gems a player owes after a clawback found them spent.  A row exists only while something is
-- owed; while it does, the ledger refuses every Gems debit from that player (db_ledger.c), and
-- Gems that arrive settle it first (pd_pay_settle).
CREATE TABLE gem_debts (
  user_id INT PRIMARY KEY REFERENCES users(id),
  gems BIGINT NOT NULL CHECK (gems > 0),
  since TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);

-- A membership: one row per player, its end moved by each purchase or renewal.  Active while
-- ends_at is in the future and it is not revoked.  source names the payment or subscription.
CREATE TABLE memberships (
  user_id INT PRIMARY KEY REFERENCES users(id),
  provider TEXT NOT NULL CHECK (provider IN ('discord', 'stripe', 'admin')),
  source TEXT NOT NULL,
  started_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  ends_at TIMESTAMP WITH TIME ZONE NOT NULL,
  updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
