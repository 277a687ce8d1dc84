-- 008_rate_limits.sql - the per-player command limit every instance shares: at most N commands
-- in any window of W seconds (a sliding log, not fixed buckets, so a burst across a bucket
-- edge cannot double it).  One row per Discord user, holding the times of their commands still
-- inside the window; rate_limit_take counts one more under the row lock, so two instances that
-- see the same player at once cannot both let the N+1th through.
CREATE TABLE rate_limit_hits (
  discord_id TEXT PRIMARY KEY,
  hits TIMESTAMP WITH TIME ZONE[] NOT NULL DEFAULT '{}'
);

-- Takes one command for a player if fewer than p_max were taken in the last p_window_ms.
-- allowed says whether it was; when not, retry_at_ms (Unix ms) is when the oldest command in
-- the window leaves it and one more is allowed.  A refused command is not counted.
CREATE FUNCTION rate_limit_take(p_discord_id TEXT, p_max INT, p_window_ms INT, OUT allowed BOOLEAN,
                                OUT retry_at_ms BIGINT)
LANGUAGE plpgsql AS $$
DECLARE
  t TIMESTAMP WITH TIME ZONE := clock_timestamp();
  w INTERVAL := make_interval(secs => p_window_ms / 1000.0);
  recent TIMESTAMP WITH TIME ZONE[];
BEGIN
  INSERT INTO rate_limit_hits (discord_id) VALUES (p_discord_id) ON CONFLICT (discord_id) DO NOTHING;
  PERFORM 1 FROM rate_limit_hits WHERE discord_id = p_discord_id FOR UPDATE;
  SELECT coalesce(array_agg(h ORDER BY h), '{}') INTO recent
    FROM rate_limit_hits r, unnest(r.hits) h WHERE r.discord_id = p_discord_id AND h > t - w;
  allowed := cardinality(recent) < p_max;
  retry_at_ms := 0;
  IF allowed THEN
    recent := recent || t;
  ELSE
    retry_at_ms := ceil(extract(epoch FROM recent[cardinality(recent) - p_max + 1] + w) * 1000)::bigint;
  END IF;
  UPDATE rate_limit_hits SET hits = recent WHERE discord_id = p_discord_id;
END
$$;
