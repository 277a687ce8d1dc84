-- 021_stripe_subscriptions.sql - the membership as a Stripe subscription: each paid invoice is a
-- payment (provider_id = the invoice, in_...) whose membership is the subscription's (sub_...),
-- so renewals move one membership and a refunded invoice ends it; and the subscriptions Stripe
-- has ended, so an invoice delivered after the deletion (Stripe does not deliver in order)
-- cannot make the membership run past the end.

-- The membership source a payment set (a subscription id); NULL: the payment's provider_id.
ALTER TABLE payments ADD COLUMN member_source TEXT;

CREATE TABLE subscription_ends (
  provider TEXT NOT NULL CHECK (provider IN ('discord', 'stripe')),
  subscription TEXT NOT NULL,          -- sub_...
  ends_at TIMESTAMP WITH TIME ZONE NOT NULL, -- the earliest end a deletion named
  raw JSONB NOT NULL,                  -- the subscription as the deletion event carried it
  at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, subscription)
);
