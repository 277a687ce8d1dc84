-- 005_image_pipeline.sql - what the image pipeline learns about each picture, and card
-- revisions.  A card's picture can change (ingested art replaces generated art; an admin fixes
-- a rarity), and card files are served as immutable, so each change is a new file: image_rev
-- counts them (1 = the first, file TAYL_19-03.png; 2 = TAYL_19-03-r2.png, ...).
ALTER TABLE era_images ADD COLUMN confidence REAL;           -- the classifier's, 0..0.99
ALTER TABLE era_images ADD COLUMN era_match TEXT;            -- how the era was decided
ALTER TABLE era_images ADD COLUMN keyword TEXT;              -- the search that found it
ALTER TABLE card_templates ADD COLUMN image_rev INT NOT NULL DEFAULT 1;
-- The members query of group cards, and the era lookups of the pipeline.
CREATE INDEX era_images_era_idx ON era_images (era_id);
CREATE INDEX card_templates_era_idx ON card_templates (era_id);
