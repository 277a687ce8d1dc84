-- 011_audit.sql - the checkpoints `popdeck audit` keeps so a daily run reads one day of the
-- ledger, not all of it.
--
-- A run verifies, in one REPEATABLE READ snapshot, every account's balance against its ledger
-- rows.  When it is clean it records what it verified: for every account and currency the sum of
-- its rows dated before the run's horizon (audit_sums.sum).  The horizon is chosen so that every
-- such row was already committed when the snapshot was taken (no transaction that could still
-- write a row dated before it was open: server/audit.c), and max_id is the highest ledger id the
-- snapshot saw.  The next run reads only the rows dated at or after the horizon, and the rows
-- with a higher id than max_id (a row written later with an older date), and adds them to these
-- sums; `popdeck audit --full` reads everything and ignores the checkpoints.
CREATE TABLE audit_runs (
  id BIGSERIAL PRIMARY KEY,
  started_at TIMESTAMP WITH TIME ZONE NOT NULL,  -- the run's clock, just before its snapshot
  horizon TIMESTAMP WITH TIME ZONE NOT NULL,     -- audit_sums.sum covers the rows dated before it
  max_id BIGINT NOT NULL,                        -- the highest ledger id the snapshot saw
  full_run BOOLEAN NOT NULL,
  accounts BIGINT,                               -- what it checked, for the operator
  ops BIGINT,
  rows_read BIGINT,
  seconds DOUBLE PRECISION
);

-- One row per account and currency with ledger rows, for the latest clean run only (older runs'
-- rows are deleted when a new run is recorded).  total is every row the run saw, sum the rows
-- dated before its horizon: the checkpoint the next run starts from.
CREATE TABLE audit_sums (
  run_id BIGINT NOT NULL REFERENCES audit_runs(id) ON DELETE CASCADE,
  user_id INT,
  system_account TEXT,
  currency TEXT NOT NULL,
  total BIGINT NOT NULL,
  sum BIGINT NOT NULL,
  CHECK ((user_id IS NULL) <> (system_account IS NULL))
);
CREATE INDEX audit_sums_run_idx ON audit_sums (run_id, user_id, currency);
