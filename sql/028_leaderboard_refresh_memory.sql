-- 028_leaderboard_refresh_memory.sql - pd_leaderboard_refresh (sql/025) builds its two rank
-- indexes with 256 MB of maintenance_work_mem, for this transaction only, so that the refresh of
-- a million players fits in the leaderboard task's minute (scripts/bench-leaderboard.sh).
-- Everything else is as 025 made it.
CREATE OR REPLACE FUNCTION pd_leaderboard_refresh(weights BIGINT[])
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
  -- The two indexes sort 7,500,000 rows at a million players: in memory rather than in 64 MB
  -- runs on disk (the default), the whole refresh took 47 s instead of 62 s on the idle 2-core
  -- development machine.
  PERFORM set_config('maintenance_work_mem', '256MB', true);
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
