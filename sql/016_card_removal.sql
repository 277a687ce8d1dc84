-- 016_card_removal.sql - what the admin's card operations need (lib/admin_cards.c): removal that
-- keeps history, and a rarity an admin changed without the catalog making the old one again.
--
-- Removal is soft.  A removed card (delete_template, purge_artist) keeps its row, so the copies
-- it had, their card_moves, the ledger's meta and the admin audit still name it; every copy of
-- it went 'gone' in the same transaction.  all_cards and drawable_cards leave removed cards out,
-- and with them everything a player sees (collections, /viewcard, suggestions, listings,
-- trades, draws and packs read cards through them).  A purged artist, its eras and their images
-- are marked too: lookups and suggestions skip them, and the catalog does not ingest a removed
-- artist again (server/catalog.c).
ALTER TABLE card_templates ADD COLUMN removed_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE temp_card_templates ADD COLUMN removed_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE artists ADD COLUMN removed_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE eras ADD COLUMN removed_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE era_images ADD COLUMN removed_at TIMESTAMP WITH TIME ZONE;

-- The catalog makes one card per (image, rarity) and finds it again by that pair, so a second
-- ingest adds nothing.  setrarity changes a card's rarity: made_as keeps the rarity it was made
-- as (NULL: the one it has), and the pair the catalog knows it by stays the same, so a re-ingest
-- neither makes the old rarity again nor collides with the new one.
ALTER TABLE card_templates ADD COLUMN made_as TEXT
  CHECK (made_as IN ('common','rare','epic','legendary','mythic'));
ALTER TABLE card_templates DROP CONSTRAINT card_templates_source_image_id_rarity_key;
CREATE UNIQUE INDEX card_templates_image_made_as_idx
  ON card_templates (source_image_id, (coalesce(made_as, rarity)));

-- sql/007's views, now without removed cards (same columns).
CREATE OR REPLACE VIEW all_cards AS
  SELECT id, public_id, artist_id, era_id, rarity, image_url, copies_created, false AS temporary,
         NULL::timestamp with time zone AS expires_at
  FROM card_templates
  WHERE removed_at IS NULL
  UNION ALL
  SELECT -t.id, t.public_id, t.artist_id, t.era_id, t.rarity, t.image_url, t.copies_created, true,
         coalesce(t.expires_at, e.end_at)
  FROM temp_card_templates t LEFT JOIN events e ON e.id = t.event_id
  WHERE t.artist_id IS NOT NULL AND t.era_id IS NOT NULL AND t.rarity IS NOT NULL AND t.image_url IS NOT NULL
    AND t.removed_at IS NULL;

CREATE OR REPLACE VIEW drawable_cards AS
  SELECT id, rarity FROM card_templates WHERE removed_at IS NULL
  UNION ALL
  SELECT -t.id, t.rarity FROM temp_card_templates t JOIN events e ON e.id = t.event_id
  WHERE now() >= e.start_at AND now() < e.end_at AND (t.expires_at IS NULL OR t.expires_at > now())
    AND t.artist_id IS NOT NULL AND t.era_id IS NOT NULL AND t.rarity IS NOT NULL AND t.image_url IS NOT NULL
    AND t.removed_at IS NULL;
