-- 017_events_players.sql - what the admin's event and player operations need beyond 003 and
-- 015: events with their rarity boosts, event pack, guild, author and early end; who reviewed a
-- farming flag; the indexes that find one player's flags; and a player's payments for
-- /admin user once the payments table exists.

-- boosts: rarity -> weight multiplier while the event runs ({"legendary": 2}; {} = none).
-- pack: an event pack's id in assets/packs.json, openable while the event runs (NULL: none).
-- guild_id: the server whose players see the event (NULL: every server).
-- created_by: the admin's Discord id, or 'rest'.  ended_at: when an admin ended it early.
ALTER TABLE events ADD COLUMN boosts JSONB NOT NULL DEFAULT '{}'
  CHECK (jsonb_typeof(boosts) = 'object');
ALTER TABLE events ADD COLUMN pack TEXT;
ALTER TABLE events ADD COLUMN guild_id TEXT CHECK (guild_id ~ '^[0-9]{1,20}$');
ALTER TABLE events ADD COLUMN created_by TEXT;
ALTER TABLE events ADD COLUMN ended_at TIMESTAMP WITH TIME ZONE;
-- An upcoming event ended before it started keeps an empty window (start = end = ended_at):
-- it never ran, and "running" (start_at <= now() < end_at) can never hold for it.
ALTER TABLE events DROP CONSTRAINT events_check;
ALTER TABLE events ADD CONSTRAINT events_window
  CHECK (end_at > start_at OR (ended_at IS NOT NULL AND end_at = start_at));
-- event_list: the running and upcoming ones, and the last ended, by end.
CREATE INDEX events_end_idx ON events (end_at);
-- A temporary card's event (event_list, event_end).
CREATE INDEX temp_card_templates_event_idx ON temp_card_templates (event_id);

ALTER TABLE abuse_flags ADD COLUMN reviewed_by TEXT;
ALTER TABLE abuse_flags ADD COLUMN reviewed_at TIMESTAMP WITH TIME ZONE;
-- /admin flags reviewed:true (every flag, newest first) and /admin user (a player's flags).
CREATE INDEX abuse_flags_at_idx ON abuse_flags (at);
CREATE INDEX abuse_flags_from_idx ON abuse_flags (from_user, at);
CREATE INDEX abuse_flags_to_idx ON abuse_flags (to_user, at);

-- A player's latest payments as JSON, newest first.  The payments table belongs to the payments
-- work and does not exist yet; a prepared statement cannot name a table that is missing, so
-- /admin user asks this function, which answers [] until the table (with a user_id column)
-- appears, and then its rows.
CREATE FUNCTION admin_user_payments(p_user INT, p_limit INT) RETURNS JSONB
LANGUAGE plpgsql STABLE AS $$
DECLARE
  out JSONB;
BEGIN
  IF to_regclass('payments') IS NULL THEN
    RETURN '[]'::jsonb;
  END IF;
  EXECUTE 'SELECT coalesce(jsonb_agg(to_jsonb(p)), ''[]'') FROM'
          ' (SELECT * FROM payments WHERE user_id = $1 ORDER BY 1 DESC LIMIT $2) p'
    INTO out USING p_user, p_limit;
  RETURN out;
EXCEPTION WHEN undefined_column THEN
  RETURN '[]'::jsonb;
END
$$;
