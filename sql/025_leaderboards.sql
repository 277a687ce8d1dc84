-- 025_leaderboards.sql - the servers each player plays in, and the leaderboards' ranks.
--
-- Discord sends no member lists to an interactions endpoint, so a server's players are the
-- ones PopDeck has seen play there: player_guilds gets a row the first time, and last_seen moves
-- at most once a day (the statement writes nothing when the row is younger than that).
CREATE TABLE player_guilds (
  user_id INT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  guild_id BIGINT NOT NULL CHECK (guild_id > 0), -- the server's snowflake
  first_seen TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT pd_now(),
  last_seen TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT pd_now(),
  PRIMARY KEY (user_id, guild_id)
);
CREATE INDEX player_guilds_guild_idx ON player_guilds (guild_id, user_id);

-- The ranks are derived data, rebuilt from balances and copies by pd_leaderboard_refresh (the
-- scheduler's "leaderboard" task, every minute), so whatever changes the sources (a restored
-- backup, an operator's UPDATE, a bulk import) is in the ranks within a period.  One row per
-- (board, scope, player): board 0 = collection, 1 = notes, 2 = eras; guild_id 0 = global, else
-- the server's players only.  rank is the position in (score descending, users.id ascending):
-- players with the same score are ordered by who joined first, so every rank is one player and
-- a page never repeats or skips anyone.  UNLOGGED: nothing here is lost that the next refresh
-- does not rebuild, and the build writes no WAL (after a crash the table is empty until then).
CREATE UNLOGGED TABLE leaderboard_ranks (
  board SMALLINT NOT NULL CHECK (board BETWEEN 0 AND 2),
  guild_id BIGINT NOT NULL,
  rank INT NOT NULL,
  user_id INT NOT NULL,
  score BIGINT NOT NULL
);
CREATE UNIQUE INDEX leaderboard_ranks_rank_idx ON leaderboard_ranks (board, guild_id, rank)
  INCLUDE (user_id, score);
CREATE UNIQUE INDEX leaderboard_ranks_user_idx ON leaderboard_ranks (user_id, board, guild_id)
  INCLUDE (rank);

-- When the ranks in leaderboard_ranks were computed (the "as of" of /leaderboard), and how
-- long that took.
CREATE TABLE leaderboard_state (
  one BOOLEAN PRIMARY KEY DEFAULT true CHECK (one),
  refreshed_at TIMESTAMP WITH TIME ZONE,
  build_ms DOUBLE PRECISION,
  players BIGINT NOT NULL DEFAULT 0,
  rows BIGINT NOT NULL DEFAULT 0
);
INSERT INTO leaderboard_state DEFAULT VALUES;

-- The index of a rarity in the weights array (1 = common ... 5 = mythic, lib/rarity.h's order).
CREATE FUNCTION pd_rarity_index(rarity TEXT) RETURNS INT LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE rarity WHEN 'common' THEN 1 WHEN 'rare' THEN 2 WHEN 'epic' THEN 3
                     WHEN 'legendary' THEN 4 WHEN 'mythic' THEN 5 END
$$;

-- Rebuilds every rank from the sources and swaps the new table in.  The tables it builds aside
-- (the _next ones) exist only inside its transaction: a run that fails leaves nothing behind.  weights: the collection
-- points of one copy of each rarity, common first (assets/packs.json's leaderboard).
--   collection: the sum of the weights of the player's copies (every copy counts, duplicates
--     too; copies that are gone and event copies do not);
--   notes: the Notes balance (users.coins);
--   eras: how many eras are complete: the player holds a copy of every rarity that the era's
--     cards (those not removed) come in.
-- Global ranks hold every player; a server's ranks the players seen there (player_guilds).
-- The new ranks are built in a table of their own while readers keep reading the old one, then
-- one DROP and RENAME swaps them: readers wait only for that (lock_timeout keeps a stuck reader
-- from holding everyone behind the swap; the run then fails and is tried again).  Prepared
-- statements that read the table are planned again on their next use, against the new one.
CREATE FUNCTION pd_leaderboard_refresh(weights BIGINT[])
RETURNS TABLE (ranked_players BIGINT, rank_rows BIGINT, took_ms DOUBLE PRECISION)
LANGUAGE plpgsql AS $$
DECLARE
  t0 TIMESTAMP WITH TIME ZONE := clock_timestamp();
  nplayers BIGINT;
  nrows BIGINT;
BEGIN
  IF array_length(weights, 1) IS DISTINCT FROM 5 THEN
    RAISE EXCEPTION 'pd_leaderboard_refresh: five weights, common to mythic';
  END IF;
  -- One pass over the copies.  Each card's era, rarity bit and points come from a small table
  -- made first (a hash join on it costs less than working them out for every copy), and the
  -- (player, era) groups are sorted rather than hashed: at 20,000,000 copies the hash spilled
  -- and took longer than the sort (44 s against 24 s on the 2-core development machine;
  -- a larger work_mem made both slower still).
  PERFORM set_config('work_mem', '256MB', true);
  PERFORM set_config('enable_hashagg', 'off', true);
  CREATE TEMP TABLE leaderboard_cards_next ON COMMIT DROP AS
    SELECT id, era_id, 1 << pd_rarity_index(rarity) AS bit, weights[pd_rarity_index(rarity)] AS points
    FROM card_templates WHERE removed_at IS NULL;
  ANALYZE leaderboard_cards_next;
  CREATE UNLOGGED TABLE leaderboard_scores_next AS
  WITH era_need AS (
    SELECT era_id, bit_or(bit) AS need FROM leaderboard_cards_next GROUP BY era_id
  ), owned AS (
    SELECT c.user_id, t.era_id, bit_or(t.bit) AS have, sum(t.points) AS points
    FROM user_cards c JOIN leaderboard_cards_next t ON t.id = c.template_id
    WHERE c.state <> 'gone'
    GROUP BY c.user_id, t.era_id
  ), per_player AS (
    SELECT o.user_id, sum(o.points)::bigint AS collection,
           count(*) FILTER (WHERE o.have = n.need) AS eras
    FROM owned o JOIN era_need n USING (era_id) GROUP BY o.user_id
  )
  SELECT u.id AS user_id, coalesce(p.collection, 0) AS collection, u.coins AS notes,
         coalesce(p.eras, 0)::bigint AS eras
  FROM users u LEFT JOIN per_player p ON p.user_id = u.id;
  GET DIAGNOSTICS nplayers = ROW_COUNT;
  PERFORM set_config('enable_hashagg', 'on', true);

  CREATE UNLOGGED TABLE leaderboard_ranks_next (LIKE leaderboard_ranks INCLUDING CONSTRAINTS);
  -- Every (player, scope) once, global as guild 0, each unfolded into its three boards, and
  -- ranked in one sort: the rows come out in (board, guild_id, rank) order, as the index wants.
  INSERT INTO leaderboard_ranks_next (board, guild_id, rank, user_id, score)
  SELECT v.board, m.guild_id,
         row_number() OVER (PARTITION BY v.board, m.guild_id ORDER BY v.score DESC, s.user_id),
         s.user_id, v.score
  FROM leaderboard_scores_next s
  JOIN (SELECT user_id, 0::bigint AS guild_id FROM leaderboard_scores_next
        UNION ALL SELECT user_id, guild_id FROM player_guilds) m USING (user_id)
  CROSS JOIN LATERAL (VALUES (0::smallint, s.collection), (1::smallint, s.notes),
                             (2::smallint, s.eras)) v (board, score);
  GET DIAGNOSTICS nrows = ROW_COUNT;
  DROP TABLE leaderboard_scores_next;
  CREATE UNIQUE INDEX leaderboard_ranks_next_rank_idx
    ON leaderboard_ranks_next (board, guild_id, rank) INCLUDE (user_id, score);
  CREATE UNIQUE INDEX leaderboard_ranks_next_user_idx
    ON leaderboard_ranks_next (user_id, board, guild_id) INCLUDE (rank);
  ANALYZE leaderboard_ranks_next;

  PERFORM set_config('lock_timeout', '2s', true);
  DROP TABLE leaderboard_ranks;
  ALTER TABLE leaderboard_ranks_next RENAME TO leaderboard_ranks;
  ALTER INDEX leaderboard_ranks_next_rank_idx RENAME TO leaderboard_ranks_rank_idx;
  ALTER INDEX leaderboard_ranks_next_user_idx RENAME TO leaderboard_ranks_user_idx;
  UPDATE leaderboard_state SET refreshed_at = pd_now(), players = nplayers, rows = nrows,
    build_ms = extract(epoch FROM clock_timestamp() - t0) * 1000;
  RETURN QUERY SELECT nplayers, nrows, extract(epoch FROM clock_timestamp() - t0)::float8 * 1000;
END
$$;
