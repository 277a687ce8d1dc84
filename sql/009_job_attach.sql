-- 009_job_attach.sql - what a follow-up kind builds its files from gets its own column.
-- Until now handlers hid it in the Discord payload under private keys ('_pack' for a pack's
-- size, '_card' for the profile banner) and the worker took them out before sending.  The
-- payload is now exactly what Discord gets; attach is the kind's own data.  kind stays TEXT
-- (rows stay readable) and has no CHECK: the worker fails a row whose kind it does not know,
-- so adding a kind needs no migration.
ALTER TABLE followup_jobs ADD COLUMN attach JSONB;

-- Jobs still waiting (queued by the release before this one, or during the deploy) keep their
-- picture: their private keys move to attach.  Finished rows are history and stay as they were.
UPDATE followup_jobs
   SET attach = CASE kind WHEN 'pack' THEN payload -> '_pack' WHEN 'profile_card' THEN payload -> '_card' END,
       payload = payload - '_pack' - '_card'
 WHERE status = 'pending' AND (payload ? '_pack' OR payload ? '_card');

-- An instance of the previous release still serving while the new one rolls out writes jobs the
-- old way; this moves their keys as they are inserted, so none reaches Discord or loses its file.
CREATE FUNCTION followup_jobs_legacy_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.attach IS NULL THEN
    NEW.attach := CASE NEW.kind WHEN 'pack' THEN NEW.payload -> '_pack'
                                WHEN 'profile_card' THEN NEW.payload -> '_card' END;
  END IF;
  NEW.payload := NEW.payload - '_pack' - '_card';
  RETURN NEW;
END $$;

CREATE TRIGGER followup_jobs_legacy_insert BEFORE INSERT ON followup_jobs
  FOR EACH ROW WHEN (NEW.payload ? '_pack' OR NEW.payload ? '_card')
  EXECUTE FUNCTION followup_jobs_legacy_insert();
