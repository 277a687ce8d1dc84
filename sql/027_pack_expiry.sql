-- 027_pack_expiry.sql - packs nobody picked from: the scheduler's expire task closes them.
--
-- A pack left open past expires_at keeps no card (the pick refuses it, as before); the sweep
-- marks it 'expired' so that the table says what happened and an open pack is one that can
-- still be picked.  The partial index finds the few open ones among every pack ever opened.
ALTER TABLE pack_opens DROP CONSTRAINT pack_opens_status_check;
ALTER TABLE pack_opens ADD CONSTRAINT pack_opens_status_check
  CHECK (status IN ('open', 'picked', 'expired'));
ALTER TABLE pack_opens ADD COLUMN expired_at TIMESTAMP WITH TIME ZONE;
CREATE INDEX pack_opens_open_idx ON pack_opens (expires_at) WHERE status = 'open';
