-- 015_admin.sql - the admin surface: who is an admin besides ADMIN_FILE, what every admin did,
-- confirmations of destructive operations, suspended players, and the background jobs that
-- ingest, sync and render.

-- Admins that owners added from Discord or REST (ADMIN_FILE's admins and owners are the rest).
CREATE TABLE admins (
  discord_id TEXT PRIMARY KEY CHECK (discord_id ~ '^[0-9]{1,20}$'),
  added_by TEXT NOT NULL,             -- a Discord id, or 'rest'
  added_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);

-- One row per admin call, written in the same transaction as its effect (outcome 'done'), or
-- after its rollback when it was refused, previewed for a confirmation, or denied to a
-- non-admin.  before and after are what the operation changed, as JSON.
CREATE TABLE admin_audit (
  id BIGSERIAL PRIMARY KEY,
  at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  actor TEXT NOT NULL,                -- a Discord id, or 'rest'
  action TEXT NOT NULL,               -- the operation's name ("setrarity", "give_currency")
  outcome TEXT NOT NULL CHECK (outcome IN ('done', 'refused', 'previewed', 'denied')),
  target TEXT,                        -- "card TAYL_19#03", "user 123456789"
  args JSONB,
  before JSONB,
  after JSONB,
  ref TEXT                            -- the request's reference id, as in the log
);
CREATE INDEX admin_audit_actor_idx ON admin_audit (actor, id);
CREATE INDEX admin_audit_action_idx ON admin_audit (action, id);

-- A destructive call answers with a preview and a token; repeating it with the token within
-- two minutes, by the same actor, with the same arguments, does it.  used_at is set in the
-- transaction that does it, so a token works once even when two confirmations race.
CREATE TABLE admin_confirmations (
  token TEXT PRIMARY KEY,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  args JSONB NOT NULL,
  preview JSONB NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
  used_at TIMESTAMP WITH TIME ZONE
);
CREATE INDEX admin_confirmations_expiry_idx ON admin_confirmations (expires_at);

-- Suspended players, by Discord id: a player need not have played to be banned.
CREATE TABLE user_bans (
  discord_id TEXT PRIMARY KEY CHECK (discord_id ~ '^[0-9]{1,20}$'),
  reason TEXT,
  banned_by TEXT NOT NULL,
  banned_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
);

-- Background jobs (ingest, sync, render, reseed): any instance claims a queued job, holds a
-- lease it renews while it works, and reports progress here.  A job whose lease ran out (its
-- instance died) is claimed again, up to max_attempts, then failed with the reason.  The
-- interaction token, when the job came from Discord, is where its progress is shown.
CREATE TABLE admin_jobs (
  id BIGSERIAL PRIMARY KEY,
  kind TEXT NOT NULL,                 -- 'ingest', 'sync', 'render', 'reseed'
  params JSONB NOT NULL DEFAULT '{}',
  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
  done INT NOT NULL DEFAULT 0,
  total INT,                          -- NULL until the job knows
  messages JSONB NOT NULL DEFAULT '[]',
  result JSONB,
  error TEXT,
  actor TEXT NOT NULL,
  ref TEXT,
  application_id TEXT,
  interaction_token TEXT,
  token_expires_at TIMESTAMP WITH TIME ZONE,
  attempts INT NOT NULL DEFAULT 0,
  max_attempts INT NOT NULL DEFAULT 3,
  lease_until TIMESTAMP WITH TIME ZONE,
  instance TEXT,                      -- who holds the lease (host:pid)
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  started_at TIMESTAMP WITH TIME ZONE,
  finished_at TIMESTAMP WITH TIME ZONE
);
CREATE INDEX admin_jobs_open_idx ON admin_jobs (id) WHERE state IN ('queued', 'running');

-- A temporary card's picture: an era image, or a URL an admin uploaded; the render job draws it
-- and sets image_url (until then all_cards leaves the card out).
ALTER TABLE temp_card_templates ADD COLUMN source_image_id BIGINT REFERENCES era_images(id);
ALTER TABLE temp_card_templates ADD COLUMN source_url TEXT;
ALTER TABLE temp_card_templates ADD COLUMN image_rev INT NOT NULL DEFAULT 1;
