-- 019_entitlement_consume.sql - a granted Discord consumable is consumed through the follow-up
-- queue, so the call survives a crash, a restart and Discord's bad moments with the queue's own
-- retry rules: method 'consume' posts to /applications/{application_id}/entitlements/{id}/consume
-- with the bot token (the entitlement id is in attach).  Like a DM it has no interaction token,
-- keeps interaction_token '' and never expires.
ALTER TABLE followup_jobs DROP CONSTRAINT followup_jobs_method_check;
ALTER TABLE followup_jobs ADD CONSTRAINT followup_jobs_method_check
  CHECK (method IN ('edit_original', 'followup', 'dm', 'consume'));
