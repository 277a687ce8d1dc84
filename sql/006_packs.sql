-- 006_packs.sql - opening packs and keeping one card, free allotments, private collections.
--
-- Every pack opened is one row: the cards it offered in button order (the audit of what was
-- drawn), what it cost, and the pick.  The pick is exactly-once: it moves status from 'open'
-- to 'picked' under the row lock, and only the opener, before expires_at, may make it.
CREATE TABLE pack_opens (
  id BIGSERIAL PRIMARY KEY,
  user_id INT NOT NULL REFERENCES users(id),
  pack TEXT NOT NULL,                      -- the pack's id in assets/packs.json
  template_ids BIGINT[] NOT NULL,          -- the cards offered, in button order
  rarities TEXT[] NOT NULL,                -- their rarities when drawn
  paid_currency TEXT CHECK (paid_currency IN ('notes','discs','gems')),
  paid_amount BIGINT NOT NULL DEFAULT 0,   -- 0: a free open
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','picked')),
  picked_index INT,
  user_card_id BIGINT REFERENCES user_cards(id),
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
  picked_at TIMESTAMP WITH TIME ZONE,
  CHECK ((status = 'picked') = (picked_index IS NOT NULL AND user_card_id IS NOT NULL))
);
CREATE INDEX pack_opens_user_idx ON pack_opens (user_id, created_at);

-- How many free opens (per pack) and free draws a player used on a UTC day.
CREATE TABLE free_allotments (
  user_id INT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  what TEXT NOT NULL,                      -- 'pack:standard-3', 'draw'
  day DATE NOT NULL,
  used INT NOT NULL CHECK (used >= 0),
  PRIMARY KEY (user_id, what, day)
);

-- /privacy on: others cannot look at the collection.
ALTER TABLE users ADD COLUMN inventory_private BOOLEAN NOT NULL DEFAULT false;

-- How a card came to its owner ('pack', 'draw', ...), for the audit and for listings.
ALTER TABLE user_cards ADD COLUMN source TEXT;
-- Collections are listed by owner in id order (keyset pagination): one index range per page,
-- whatever the size of the table.
CREATE INDEX user_cards_user_id_idx ON user_cards (user_id, id);
DROP INDEX user_cards_user_idx;
