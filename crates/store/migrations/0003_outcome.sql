-- What the hook made of an event (spool header `outcome`), and the failure
-- analysis of PostToolUseFailure events classified at ingestion.
ALTER TABLE events ADD COLUMN fingerprint TEXT;
ALTER TABLE events ADD COLUMN class TEXT;
ALTER TABLE events ADD COLUMN severity TEXT;
ALTER TABLE events ADD COLUMN expected INTEGER;
ALTER TABLE events ADD COLUMN command_head TEXT;
ALTER TABLE events ADD COLUMN mcp_server TEXT;
ALTER TABLE events ADD COLUMN guard_decision TEXT;
ALTER TABLE events ADD COLUMN outcome TEXT;            -- JSON, as the hook wrote it
CREATE INDEX events_fingerprint ON events(fingerprint, time_us);
CREATE INDEX events_guard ON events(guard_decision, time_us) WHERE guard_decision IS NOT NULL;
