-- 024_missions.sql - missions and achievements: what the actions count, the login streak, the
-- claimed missions and the unlocked achievements.
--
-- Progress is written by the action's own transaction (server/missions.c), so a transaction
-- that rolls back or runs again after a serialization failure counts nothing twice.  Which
-- three missions a period shows is not stored: every instance derives it from the period's
-- start (lib/missions.c), and the counts per UTC day serve both the daily missions (that day's
-- row) and the weekly ones (the rows since Monday, pd_period_start('7 days', ...)).

-- What a player did on a UTC day (day = pd_period_start('1 day', pd_now())), by kind.
CREATE TABLE mission_counts (
  user_id INT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('open_packs','draws','market_sell','market_buy','trades',
                                     'era_complete','mythic')),
  day TIMESTAMP WITH TIME ZONE NOT NULL,
  n BIGINT NOT NULL CHECK (n >= 0),
  PRIMARY KEY (user_id, kind, day)
);

-- The same counts over a player's whole life, for the achievements (first trade, first mythic,
-- an era completed): one row per kind, so an unlock never sums a history.
CREATE TABLE player_totals (
  user_id INT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  n BIGINT NOT NULL CHECK (n >= 0),
  PRIMARY KEY (user_id, kind)
);

-- Days running on which the player used a command: last_day is the latest such UTC day; a day
-- skipped starts the run again at 1.
CREATE TABLE login_streaks (
  user_id INT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  last_day TIMESTAMP WITH TIME ZONE NOT NULL,
  days INT NOT NULL CHECK (days >= 1),
  best INT NOT NULL CHECK (best >= days)
);

-- A claimed mission: one row per player, period and mission, so however many presses race,
-- one inserts it and pays; the others find it.
CREATE TABLE mission_claims (
  user_id INT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  period TEXT NOT NULL CHECK (period IN ('day','week')),
  period_start TIMESTAMP WITH TIME ZONE NOT NULL,
  mission TEXT NOT NULL,
  claimed_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT pd_now(),
  PRIMARY KEY (user_id, period, period_start, mission)
);

-- An unlocked achievement, once per player.
CREATE TABLE achievements (
  user_id INT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  achievement TEXT NOT NULL,
  unlocked_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT pd_now(),
  PRIMARY KEY (user_id, achievement)
);
