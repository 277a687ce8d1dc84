-- 026_catalog_tasks.sql - what the catalog's periodic tasks need (server/catalog_tasks.c): artists
-- the monthly prune retires, and cards a draw makes from unused stock (reuse versus create).
--
-- Retiring is not removing.  A retired artist's cards stop being drawn, but every copy stays
-- owned, tradable and shown (marked "retired" in /viewcard and /mycards); an artist that comes
-- back over the thresholds is drawable again at the next prune.  retired_why says which number
-- fell short, for the operator and the card's page.
ALTER TABLE artists ADD COLUMN retired_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE artists ADD COLUMN retired_why TEXT;

-- A card a draw makes from an unused era image is written in the draw's transaction with
-- image_rev 0: its file is drawn by the follow-up worker before the pack message goes out
-- (image_rev 1 then).  Until that, it belongs only to the pack that made it; other draws do
-- not hand it out.
--
-- drawable_cards as sql/016 and 022 left it, plus: no card of a retired artist, none still to be
-- drawn.  The temporary cards of events stay as they are (an admin chose them for the event).
CREATE OR REPLACE VIEW drawable_cards AS
  SELECT t.id, t.rarity FROM card_templates t JOIN artists a ON a.id = t.artist_id
  WHERE t.removed_at IS NULL AND a.retired_at IS NULL AND t.image_rev > 0
  UNION ALL
  SELECT -t.id, t.rarity FROM temp_card_templates t JOIN events e ON e.id = t.event_id
  WHERE pd_now() >= e.start_at AND pd_now() < e.end_at
    AND (t.expires_at IS NULL OR t.expires_at > pd_now())
    AND t.artist_id IS NOT NULL AND t.era_id IS NOT NULL AND t.rarity IS NOT NULL
    AND t.image_url IS NOT NULL AND t.removed_at IS NULL;

-- The draw's stock count of one (era, rarity), and the refill's scan of every era.
CREATE INDEX card_templates_era_rarity_idx ON card_templates (era_id, rarity)
  WHERE removed_at IS NULL;

-- When the stock refill last searched more photos for an era: each run takes the eras it looked
-- at least recently, so an era no source has more of does not hold up the others.
ALTER TABLE eras ADD COLUMN stock_checked_at TIMESTAMP WITH TIME ZONE;

-- Images no card is made from yet: the stock a draw creates from.
CREATE INDEX era_images_unused_idx ON era_images (era_id)
  WHERE removed_at IS NULL AND storage_url IS NOT NULL AND kind <> 'generated';
