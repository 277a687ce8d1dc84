-- 007_event_cards.sql - temporary event cards in collections and draws.
--
-- A copy is of a permanent card (template_id) or of an event's temporary card
-- (temp_template_id), never both.  card_id names either in one number: the template's id, or
-- minus the temporary template's id; all_cards is both kinds under that id, and drawable_cards
-- the ones draws may hand out now (every permanent card, and the temporary cards of events
-- running now, complete and not expired).  An owned temporary copy carries is_temporary and
-- expires_at (its card's expiry, else its event's end) and leaves collections after it.
ALTER TABLE temp_card_templates ADD COLUMN copies_created BIGINT NOT NULL DEFAULT 0;
ALTER TABLE user_cards ALTER COLUMN template_id DROP NOT NULL;
ALTER TABLE user_cards ADD COLUMN temp_template_id BIGINT REFERENCES temp_card_templates(id);
ALTER TABLE user_cards ADD CONSTRAINT user_cards_one_card CHECK ((template_id IS NULL) <> (temp_template_id IS NULL));
ALTER TABLE user_cards ADD COLUMN card_id BIGINT GENERATED ALWAYS AS (coalesce(template_id, -temp_template_id)) STORED;
CREATE UNIQUE INDEX user_cards_temp_print_idx ON user_cards (temp_template_id, print_no) WHERE temp_template_id IS NOT NULL;
CREATE INDEX user_cards_card_idx ON user_cards (card_id);

CREATE VIEW all_cards AS
  SELECT id, public_id, artist_id, era_id, rarity, image_url, copies_created, false AS temporary,
         NULL::timestamp with time zone AS expires_at
  FROM card_templates
  UNION ALL
  SELECT -t.id, t.public_id, t.artist_id, t.era_id, t.rarity, t.image_url, t.copies_created, true,
         coalesce(t.expires_at, e.end_at)
  FROM temp_card_templates t LEFT JOIN events e ON e.id = t.event_id
  WHERE t.artist_id IS NOT NULL AND t.era_id IS NOT NULL AND t.rarity IS NOT NULL AND t.image_url IS NOT NULL;

CREATE VIEW drawable_cards AS
  SELECT id, rarity FROM card_templates
  UNION ALL
  SELECT -t.id, t.rarity FROM temp_card_templates t JOIN events e ON e.id = t.event_id
  WHERE now() >= e.start_at AND now() < e.end_at AND (t.expires_at IS NULL OR t.expires_at > now())
    AND t.artist_id IS NOT NULL AND t.era_id IS NOT NULL AND t.rarity IS NOT NULL AND t.image_url IS NOT NULL;
