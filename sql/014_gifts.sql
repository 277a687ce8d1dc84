-- 014_gifts.sql - what gifts, farming flags and data transfers need beyond 010.
--
-- One row per transfer of value that went one way from one player to another (a gift today;
-- a sale or a one-sided trade can record theirs the same way, lib/db_flags.h): the farming
-- flags count these per pair of accounts over the last day.
CREATE TABLE one_way_transfers (
  id BIGSERIAL PRIMARY KEY,
  from_user INT NOT NULL REFERENCES users(id),
  to_user INT NOT NULL REFERENCES users(id),
  kind TEXT NOT NULL,               -- 'gift', 'sale', 'trade'
  op_id BIGINT NOT NULL,
  at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  CHECK (from_user <> to_user)
);
CREATE INDEX one_way_transfers_pair_idx ON one_way_transfers (from_user, to_user, at);
-- One flag of a kind per pair and day is enough for an admin to look.
CREATE INDEX abuse_flags_pair_idx ON abuse_flags (kind, from_user, to_user, at);

-- /transfer_data: who has agreed.  A move into an account without data needs the target's
-- Accept (the source agreed by asking); a merge needs both to choose Merge.
ALTER TABLE data_transfers ADD COLUMN from_agreed BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE data_transfers ADD COLUMN to_agreed BOOLEAN NOT NULL DEFAULT false;
CREATE INDEX data_transfers_to_idx ON data_transfers (to_user, closed_at) WHERE status = 'done';
