-- Failures older than the window count no more and are deleted as new ones
-- come (see `DB::forget_login_failures_before`): this index keeps that cheap.
CREATE INDEX login_failures_last_failed_at ON login_failures (last_failed_at);
