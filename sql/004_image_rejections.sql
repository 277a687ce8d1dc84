-- 004_image_rejections.sql - every candidate image the pipeline refused, and why, so admins can
-- see what was tried (too small, undecodable, not an image, a near-duplicate of another image).
CREATE TABLE image_rejections (
  id BIGSERIAL PRIMARY KEY,
  era_id INT REFERENCES eras(id),
  source_url TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
CREATE INDEX image_rejections_era_idx ON image_rejections (era_id);
