-- 022_clock_scheduler.sql - one clock for the whole database, and the scheduler's runs.
--
-- The clock: every statement, view, function and column default reads pd_now() instead of
-- now().  In production pd_clock's skew is zero and pd_now() is now(), the transaction's start.
-- End-to-end tests move the skew forward (UPDATE pd_clock SET skew = skew + '1 day') to reach
-- an expiry, a daily reset or an event's end without sleeping; every instance on the database
-- sees the same time at once.  `popdeck serve` warns in its log when the skew is not zero.
-- The planner runs the sub-select once per statement (an InitPlan), so pd_now() costs what
-- now() costs, and an index on a timestamp still serves "at > pd_now() - …".
CREATE TABLE pd_clock (
  one BOOLEAN PRIMARY KEY DEFAULT true CHECK (one),
  skew INTERVAL NOT NULL DEFAULT '0'
);
INSERT INTO pd_clock DEFAULT VALUES;

CREATE FUNCTION pd_now() RETURNS TIMESTAMP WITH TIME ZONE
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT now() + coalesce((SELECT skew FROM pd_clock), interval '0')
$$;

-- What 001-021 wrote with now(), rewritten to pd_now(): column defaults, views, functions.
-- The two job queues and the migrations keep the real clock: their leases, retries and token
-- expiries are measured against the wall, which a test's skew must not move (a skewed lease
-- would look expired to every other instance).  A check in the suites (e2e_scheduler) finds
-- any now() that a later migration adds elsewhere.
DO $$
DECLARE
  r RECORD;
BEGIN
  FOR r IN SELECT c.table_name, c.column_name FROM information_schema.columns c
           JOIN information_schema.tables t USING (table_schema, table_name)
           WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
             AND c.column_default ~ '(^|[^a-z_])now\(\)'
             AND c.table_name NOT IN ('followup_jobs', 'admin_jobs', 'schema_migrations')
  LOOP
    EXECUTE format('ALTER TABLE %I ALTER COLUMN %I SET DEFAULT pd_now()', r.table_name,
                   r.column_name);
  END LOOP;
  FOR r IN SELECT c.relname, pg_get_viewdef(c.oid) AS def FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind = 'v'
             AND pg_get_viewdef(c.oid) ~ '(^|[^a-z_])now\(\)'
  LOOP
    EXECUTE format('CREATE OR REPLACE VIEW %I AS %s', r.relname,
                   regexp_replace(r.def, '(^|[^a-z_])now\(\)', '\1pd_now()', 'g'));
  END LOOP;
  FOR r IN SELECT p.oid FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = 'public' AND p.proname <> 'pd_now' AND p.prokind = 'f'
             AND p.prosrc ~ '(^|[^a-z_])now\(\)'
  LOOP
    EXECUTE regexp_replace(pg_get_functiondef(r.oid), '(^|[^a-z_])now\(\)', '\1pd_now()', 'g');
  END LOOP;
END
$$;

-- The start of the period of length `every` that holds `at`, in UTC: calendar months for
-- '1 month', else bins of `every` from Monday 2000-01-03 00:00 UTC, so '1 day' starts at
-- midnight and '7 days' on Monday, as the missions' resets do.
CREATE FUNCTION pd_period_start(every INTERVAL, at TIMESTAMP WITH TIME ZONE)
RETURNS TIMESTAMP WITH TIME ZONE LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN every = interval '1 month'
              THEN date_trunc('month', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
              ELSE date_bin(every, at, timestamp with time zone '2000-01-03 00:00:00+00') END
$$;

-- How many whole periods of `every` lie strictly between two period starts a < b (0 when b
-- follows a): the periods a scheduler that was down let pass without a run.
CREATE FUNCTION pd_periods_between(every INTERVAL, a TIMESTAMP WITH TIME ZONE,
                                   b TIMESTAMP WITH TIME ZONE)
RETURNS INT LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT greatest(0, CASE WHEN every = interval '1 month'
    THEN (extract(year FROM age(b, a)) * 12 + extract(month FROM age(b, a)))::int - 1
    ELSE floor(extract(epoch FROM b - a) / extract(epoch FROM every))::int - 1 END)
$$;

-- One row per (task, period): the scheduler inserts it when an instance takes the period's run
-- and marks it done, so a period runs once however many instances there are.  While a run is
-- going, the instance holds the task's advisory lock; a row left 'running' by an instance that
-- died (its lock went with its connection) is taken over by the next one, attempts + 1.  A
-- 'failed' run is tried again after a pause, up to the scheduler's limit for the period.
CREATE TABLE scheduler_runs (
  task TEXT NOT NULL,
  period_start TIMESTAMP WITH TIME ZONE NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('running', 'ok', 'failed')),
  instance TEXT NOT NULL,
  attempts INT NOT NULL DEFAULT 1 CHECK (attempts >= 1),
  missed INT NOT NULL DEFAULT 0 CHECK (missed >= 0), -- periods since the last run that had none
  started_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT pd_now(),
  finished_at TIMESTAMP WITH TIME ZONE,
  duration_ms DOUBLE PRECISION,
  detail TEXT,
  PRIMARY KEY (task, period_start) -- also each task's latest run, for GET /metrics
);
