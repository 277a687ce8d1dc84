-- 012_market.sql - what the marketplace needs beyond 010: the columns /market filters and sorts
-- on without a join, the indexes that keep its first page flat however many listings are
-- active, and direct messages (the seller's sale notice) in the follow-up queue.
--
-- Visibility.  A listing is seen where it was listed (scope 'server': its guild) or everywhere
-- (scope 'global').  shown_in folds both into one key, '' for global, the guild for server
-- scope, so a page in a guild is two index ranges (shown_in = '' and shown_in = guild) merged,
-- and in a DM one.  artist_id and rarity_order are copied from the card when it is listed
-- (rarity_order 0 = mythic ... 4 = common, so rarest first is ascending like every other key).
ALTER TABLE market_listings ADD COLUMN artist_id BIGINT;
ALTER TABLE market_listings ADD COLUMN rarity TEXT;
ALTER TABLE market_listings ADD COLUMN rarity_order SMALLINT;
ALTER TABLE market_listings ADD COLUMN shown_in TEXT
  GENERATED ALWAYS AS (CASE WHEN scope = 'global' THEN '' ELSE guild_id END) STORED;

-- One index per sort, each the key order of its pages (keyset: a page starts after the last row
-- of the page before), only over active listings.
CREATE INDEX market_listings_cheapest_idx ON market_listings (shown_in, price, id) WHERE status = 'active';
CREATE INDEX market_listings_newest_idx ON market_listings (shown_in, id) WHERE status = 'active';
CREATE INDEX market_listings_rarity_idx ON market_listings (shown_in, rarity_order, price, id) WHERE status = 'active';
-- /viewcard: the cheapest listing of one card visible here.
CREATE INDEX market_listings_card_idx ON market_listings (card_id, shown_in, price, id) WHERE status = 'active';

-- Escrow's foreign keys, (user_card_id, copy_state) -> user_cards (id, state), are checked
-- from the other side each time a copy changes state: PostgreSQL looks for a listing or trade
-- offer still pointing at the copy's old (id, state).  Without an index on user_card_id that is
-- a scan of the whole table for every /sell, /buy, /unlist, /lock or trade change (the partial
-- unique indexes of 010 cannot serve it: they only cover active rows).
CREATE INDEX market_listings_copy_idx ON market_listings (user_card_id);
CREATE INDEX trade_cards_copy_idx ON trade_cards (user_card_id);

-- A direct message has no interaction token: method 'dm' goes to POST /users/@me/channels, then
-- POST /channels/{id}/messages, with the bot token; its recipient is in attach.  Its row keeps
-- interaction_token '' and never expires.
ALTER TABLE followup_jobs DROP CONSTRAINT followup_jobs_method_check;
ALTER TABLE followup_jobs ADD CONSTRAINT followup_jobs_method_check
  CHECK (method IN ('edit_original', 'followup', 'dm'));
