-- Transcript uuid of a StopFailure rebuilt at SessionEnd (its hook was
-- killed at -p exit); NULL for events recorded by their own hook.
ALTER TABLE events ADD COLUMN recovered TEXT;
