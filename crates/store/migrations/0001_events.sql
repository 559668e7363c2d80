-- One row per accepted hook event. Columns are what queries filter and
-- group on; `payload` holds the whole scrubbed event so nothing is lost.
CREATE TABLE events (
    id            INTEGER PRIMARY KEY,
    spool_id      TEXT    NOT NULL UNIQUE,   -- exactly-once key (spool file stem)
    time_us       INTEGER NOT NULL,          -- received by the hook, µs since epoch
    event         TEXT    NOT NULL,          -- hook_event_name, '' when missing
    session_id    TEXT,
    cwd           TEXT,
    project       TEXT,                      -- CLAUDE_PROJECT_DIR, else cwd
    tool_name     TEXT,
    tool_use_id   TEXT,
    agent_id      TEXT,
    error         TEXT,                      -- PostToolUseFailure error / StopFailure type
    is_interrupt  INTEGER,
    duration_ms   INTEGER,
    payload       TEXT,                      -- scrubbed JSON (NULL when unparseable)
    raw           BLOB,                      -- scrubbed bytes of unparseable input
    parse_error   TEXT,
    original_size INTEGER NOT NULL,
    truncated     INTEGER NOT NULL DEFAULT 0,
    hash          TEXT
);
CREATE INDEX events_time ON events(time_us);
CREATE INDEX events_event_time ON events(event, time_us);
CREATE INDEX events_session ON events(session_id, time_us);
CREATE INDEX events_tool ON events(tool_name, time_us);
