-- 002_followups.sql - deferred replies waiting to be delivered to Discord.
-- A deferring handler writes its job in the same transaction as its effects; workers in any
-- instance claim jobs with FOR UPDATE SKIP LOCKED and hold the row lock while they send, so a
-- job is delivered by one worker at a time and a crash mid-send releases it to another.
CREATE TABLE followup_jobs (
  id BIGSERIAL PRIMARY KEY,
  kind TEXT NOT NULL DEFAULT 'message',        -- how the worker builds the message
  application_id TEXT NOT NULL,
  interaction_token TEXT NOT NULL,             -- cleared once the job is finished
  method TEXT NOT NULL CHECK (method IN ('edit_original', 'followup')),
  payload JSONB NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
  attempts INT NOT NULL DEFAULT 0,
  next_attempt_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  token_expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
  last_error TEXT,
  ref TEXT,                                    -- the request's reference id, as in the log
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  finished_at TIMESTAMP WITH TIME ZONE
);
CREATE INDEX followup_jobs_due_idx ON followup_jobs (next_attempt_at, id) WHERE status = 'pending';
