-- 023_events_wishlists.sql - what players get from events beyond 017 (the free event pack and
-- its claim rule, the consolation for temporary copies, the settlement once an event is over)
-- and wishlists with their market notices.

-- claim_every: how often a player may claim the event's free pack: once per 'event', or once
-- per UTC 'day' while it runs.  consolation_notes: Notes per temporary copy an owner gets when
-- the event is over and its copies go.  settled_at: when the event_end task did that (once).
ALTER TABLE events ADD COLUMN claim_every TEXT NOT NULL DEFAULT 'event'
  CHECK (claim_every IN ('event', 'day'));
ALTER TABLE events ADD COLUMN consolation_notes BIGINT NOT NULL DEFAULT 0
  CHECK (consolation_notes BETWEEN 0 AND 1000000);
ALTER TABLE events ADD COLUMN settled_at TIMESTAMP WITH TIME ZONE;
-- The event_end task: events over and not settled yet.
CREATE INDEX events_unsettled_idx ON events (end_at) WHERE settled_at IS NULL;

-- One row per free pack claimed: period is 0 for a once-per-event claim, else the UTC day
-- (days since 1970-01-01).  The primary key makes a claim exactly once however many requests
-- race; the row is written in the transaction that opens the pack.
CREATE TABLE event_pack_claims (
  event_id INT NOT NULL REFERENCES events(id),
  user_id INT NOT NULL REFERENCES users(id),
  period INT NOT NULL CHECK (period >= 0),
  pack_id BIGINT NOT NULL,
  at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT pd_now(),
  PRIMARY KEY (event_id, user_id, period)
);

-- A player's wishes: a card (all_cards id: a temporary card is minus its id), an artist or an
-- era.  At most 50 a player (checked by the insert).
CREATE TABLE wishlists (
  user_id INT NOT NULL REFERENCES users(id),
  kind TEXT NOT NULL CHECK (kind IN ('card', 'artist', 'era')),
  target BIGINT NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT pd_now(),
  PRIMARY KEY (user_id, kind, target)
);
-- Who wishes for this card, artist or era (listing notices, "wanted by N").
CREATE INDEX wishlists_target_idx ON wishlists (kind, target);

-- A listing of a wished card, waiting for the wishlist_notify task to tell the wisher: the
-- listing's transaction only inserts these rows; the task sends at most one DM per player per
-- hour (wishlist_dms) and summarises the rest into it.
CREATE TABLE wishlist_notices (
  id BIGSERIAL PRIMARY KEY,
  user_id INT NOT NULL REFERENCES users(id),
  listing_id BIGINT NOT NULL REFERENCES market_listings(id),
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT pd_now(),
  UNIQUE (user_id, listing_id)
);
CREATE INDEX wishlist_notices_user_idx ON wishlist_notices (user_id, id);

CREATE TABLE wishlist_dms (
  user_id INT PRIMARY KEY REFERENCES users(id),
  last_at TIMESTAMP WITH TIME ZONE NOT NULL
);
