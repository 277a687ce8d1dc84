-- 003_catalog.sql - the card catalog: artists and groups, eras, their images, card templates,
-- events with temporary cards, and the copies players own.
CREATE TABLE artists (
  id SERIAL PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  spotify_id TEXT UNIQUE,
  mbid TEXT UNIQUE,
  is_group BOOLEAN NOT NULL DEFAULT false,
  metadata JSONB,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);

CREATE TABLE artist_members (
  id SERIAL PRIMARY KEY,
  artist_id INT NOT NULL REFERENCES artists(id) ON DELETE CASCADE,
  member_artist_id INT NOT NULL REFERENCES artists(id) ON DELETE CASCADE,
  role TEXT,
  UNIQUE (artist_id, member_artist_id)
);

CREATE TABLE eras (
  id SERIAL PRIMARY KEY,
  artist_id INT NOT NULL REFERENCES artists(id),
  name TEXT NOT NULL,
  start_date DATE,
  end_date DATE,
  search_keywords TEXT[],
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  UNIQUE (artist_id, name)
);

CREATE TABLE era_images (
  id BIGSERIAL PRIMARY KEY,
  era_id INT REFERENCES eras(id),
  source_url TEXT UNIQUE,
  storage_url TEXT,
  kind TEXT CHECK (kind IN ('cover','mv','concert','red_carpet','promo','generated','unknown')),
  width INT,
  height INT,
  phash TEXT,
  license JSONB,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);
CREATE INDEX era_images_phash_idx ON era_images (phash);

CREATE TABLE card_templates (
  id BIGSERIAL PRIMARY KEY,
  public_id TEXT UNIQUE NOT NULL CHECK (public_id ~ '^[A-Z0-9]{4}_[A-Z0-9]{2}#[0-9]{2}$'),
  artist_id INT NOT NULL REFERENCES artists(id),
  era_id INT NOT NULL REFERENCES eras(id),
  rarity TEXT NOT NULL CHECK (rarity IN ('common','rare','epic','legendary','mythic')),
  image_url TEXT NOT NULL,
  source_image_id BIGINT REFERENCES era_images(id),
  copies_created BIGINT NOT NULL DEFAULT 0,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  UNIQUE (source_image_id, rarity)
);
CREATE INDEX card_templates_artist_rarity_idx ON card_templates (artist_id, rarity);

CREATE TABLE events (
  id SERIAL PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT,
  start_at TIMESTAMP WITH TIME ZONE NOT NULL,
  end_at TIMESTAMP WITH TIME ZONE NOT NULL CHECK (end_at > start_at),
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);

CREATE TABLE temp_card_templates (
  id BIGSERIAL PRIMARY KEY,
  public_id TEXT UNIQUE NOT NULL,
  artist_id INT REFERENCES artists(id),
  era_id INT REFERENCES eras(id),
  rarity TEXT CHECK (rarity IN ('common','rare','epic','legendary','mythic')),
  image_url TEXT,
  event_id INT REFERENCES events(id),
  created_by INT REFERENCES users(id),
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  expires_at TIMESTAMP WITH TIME ZONE
);

-- One row per owned copy; print_no is the copy number of its template (copy #N).
CREATE TABLE user_cards (
  id BIGSERIAL PRIMARY KEY,
  user_id INT NOT NULL REFERENCES users(id),
  template_id BIGINT NOT NULL REFERENCES card_templates(id),
  print_no BIGINT NOT NULL,
  obtained_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  is_locked BOOLEAN NOT NULL DEFAULT false,
  is_temporary BOOLEAN NOT NULL DEFAULT false,
  expires_at TIMESTAMP WITH TIME ZONE NULL,
  UNIQUE (template_id, print_no)
);
CREATE INDEX user_cards_user_idx ON user_cards (user_id);
