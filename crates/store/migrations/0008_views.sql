-- What the dashboard, `hookwatch top` and `stats` read on a large store,
-- kept exact by triggers on `events`: they run inside the transaction that
-- writes the event (the worker's ingest, a backfill, rescrub, a prune), never
-- in the hook, which only writes spool files.

-- Events per hour and per (event, project, tool, MCP server, class): the
-- time series and the failure rates over any range without a scan of the
-- events. '' stands for NULL so the key is a primary key.
CREATE TABLE rollup_hour (
    hour_us    INTEGER NOT NULL,
    event      TEXT    NOT NULL,
    project    TEXT    NOT NULL,
    tool       TEXT    NOT NULL,
    mcp_server TEXT    NOT NULL,
    class      TEXT    NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (hour_us, event, project, tool, mcp_server, class)
) WITHOUT ROWID;

-- Failures per day and fingerprint: top fingerprints and their trend.
CREATE TABLE rollup_fingerprint_day (
    day_us      INTEGER NOT NULL,
    fingerprint TEXT    NOT NULL,
    project     TEXT    NOT NULL,
    tool        TEXT    NOT NULL,
    class       TEXT    NOT NULL,
    n           INTEGER NOT NULL,
    last_id     INTEGER NOT NULL,
    PRIMARY KEY (fingerprint, day_us, project, tool, class)
) WITHOUT ROWID;
CREATE INDEX rollup_fingerprint_day_day ON rollup_fingerprint_day(day_us);

-- One row per session: the sessions list without grouping the events.
CREATE TABLE session_summary (
    session_id    TEXT    PRIMARY KEY,
    project       TEXT,
    first_us      INTEGER NOT NULL,
    last_us       INTEGER NOT NULL,
    events        INTEGER NOT NULL,
    tool_calls    INTEGER NOT NULL,
    failures      INTEGER NOT NULL,
    stop_failures INTEGER NOT NULL,
    guard_blocks  INTEGER NOT NULL
);
CREATE INDEX session_summary_last ON session_summary(last_us);

-- Full text over scrubbed commands and error texts. Contentless: the text
-- is in `events` already; the search joins back by rowid = events.id.
CREATE VIRTUAL TABLE events_fts USING fts5(
    text,
    content = '',
    contentless_delete = 1,
    tokenize = "unicode61 tokenchars '_-./'"
);

-- The searchable text of an event: its error, its command or file, and the
-- message of a StopFailure or Notification. NULL when there is none.
CREATE VIEW events_search_text AS
SELECT id,
       nullif(trim(
           coalesce(error, '') || ' ' ||
           coalesce(json_extract(payload, '$.tool_input.command'), '') || ' ' ||
           coalesce(json_extract(payload, '$.tool_input.file_path'), '') || ' ' ||
           coalesce(json_extract(payload, '$.tool_input.url'), '') || ' ' ||
           CASE WHEN event IN ('StopFailure', 'Notification')
                THEN coalesce(json_extract(payload, '$.last_assistant_message'), '') || ' ' ||
                     coalesce(json_extract(payload, '$.message'), '')
                ELSE '' END
       ), '') AS text
  FROM events
 WHERE json_valid(payload) OR payload IS NULL;

CREATE TRIGGER events_views_insert AFTER INSERT ON events BEGIN
    INSERT INTO rollup_hour VALUES (
        new.time_us - (new.time_us % 3600000000), new.event, coalesce(new.project, ''),
        coalesce(new.tool_name, ''), coalesce(new.mcp_server, ''), coalesce(new.class, ''), 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO rollup_fingerprint_day
        SELECT new.time_us - (new.time_us % 86400000000), new.fingerprint,
               coalesce(new.project, ''), coalesce(new.tool_name, ''), coalesce(new.class, ''),
               1, new.id
         WHERE new.event = 'PostToolUseFailure' AND new.fingerprint IS NOT NULL
           AND new.fingerprint != '-'
    ON CONFLICT DO UPDATE SET n = n + 1, last_id = max(last_id, excluded.last_id);
    INSERT INTO session_summary
        SELECT new.session_id, new.project, new.time_us, new.time_us, 1,
               new.event IN ('PostToolUse', 'PostToolUseFailure'),
               new.event = 'PostToolUseFailure', new.event = 'StopFailure',
               coalesce(new.guard_decision IN ('deny', 'ask'), 0)
         WHERE new.session_id IS NOT NULL
    ON CONFLICT DO UPDATE SET
        project = coalesce(project, excluded.project),
        first_us = min(first_us, excluded.first_us),
        last_us = max(last_us, excluded.last_us),
        events = events + 1,
        tool_calls = tool_calls + excluded.tool_calls,
        failures = failures + excluded.failures,
        stop_failures = stop_failures + excluded.stop_failures,
        guard_blocks = guard_blocks + excluded.guard_blocks;
    INSERT INTO events_fts(rowid, text)
        SELECT id, text FROM events_search_text WHERE id = new.id AND text IS NOT NULL;
END;

CREATE TRIGGER events_views_delete AFTER DELETE ON events BEGIN
    UPDATE rollup_hour SET n = n - 1
     WHERE hour_us = old.time_us - (old.time_us % 3600000000) AND event = old.event
       AND project = coalesce(old.project, '') AND tool = coalesce(old.tool_name, '')
       AND mcp_server = coalesce(old.mcp_server, '') AND class = coalesce(old.class, '');
    DELETE FROM rollup_hour WHERE n <= 0;
    UPDATE rollup_fingerprint_day SET n = n - 1
     WHERE old.event = 'PostToolUseFailure' AND fingerprint = old.fingerprint
       AND day_us = old.time_us - (old.time_us % 86400000000)
       AND project = coalesce(old.project, '') AND tool = coalesce(old.tool_name, '')
       AND class = coalesce(old.class, '');
    DELETE FROM rollup_fingerprint_day WHERE n <= 0;
    UPDATE session_summary SET
        events = events - 1,
        tool_calls = tool_calls - (old.event IN ('PostToolUse', 'PostToolUseFailure')),
        failures = failures - (old.event = 'PostToolUseFailure'),
        stop_failures = stop_failures - (old.event = 'StopFailure'),
        guard_blocks = guard_blocks - coalesce(old.guard_decision IN ('deny', 'ask'), 0),
        first_us = coalesce((SELECT min(time_us) FROM events WHERE session_id = old.session_id), first_us),
        last_us = coalesce((SELECT max(time_us) FROM events WHERE session_id = old.session_id), last_us)
     WHERE session_id = old.session_id;
    DELETE FROM session_summary WHERE session_id = old.session_id AND events <= 0;
    DELETE FROM events_fts WHERE rowid = old.id;
END;

-- Backfills and recovery change class and fingerprint after the insert;
-- rescrub changes the text. Undo the old row's share, add the new one's.
CREATE TRIGGER events_views_update AFTER UPDATE OF class, fingerprint, project, tool_name,
    mcp_server, event, time_us ON events BEGIN
    UPDATE rollup_hour SET n = n - 1
     WHERE hour_us = old.time_us - (old.time_us % 3600000000) AND event = old.event
       AND project = coalesce(old.project, '') AND tool = coalesce(old.tool_name, '')
       AND mcp_server = coalesce(old.mcp_server, '') AND class = coalesce(old.class, '');
    DELETE FROM rollup_hour WHERE n <= 0;
    INSERT INTO rollup_hour VALUES (
        new.time_us - (new.time_us % 3600000000), new.event, coalesce(new.project, ''),
        coalesce(new.tool_name, ''), coalesce(new.mcp_server, ''), coalesce(new.class, ''), 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
    UPDATE rollup_fingerprint_day SET n = n - 1
     WHERE old.event = 'PostToolUseFailure' AND fingerprint = old.fingerprint
       AND day_us = old.time_us - (old.time_us % 86400000000)
       AND project = coalesce(old.project, '') AND tool = coalesce(old.tool_name, '')
       AND class = coalesce(old.class, '');
    DELETE FROM rollup_fingerprint_day WHERE n <= 0;
    INSERT INTO rollup_fingerprint_day
        SELECT new.time_us - (new.time_us % 86400000000), new.fingerprint,
               coalesce(new.project, ''), coalesce(new.tool_name, ''), coalesce(new.class, ''),
               1, new.id
         WHERE new.event = 'PostToolUseFailure' AND new.fingerprint IS NOT NULL
           AND new.fingerprint != '-'
    ON CONFLICT DO UPDATE SET n = n + 1, last_id = max(last_id, excluded.last_id);
END;

CREATE TRIGGER events_views_text AFTER UPDATE OF error, payload ON events BEGIN
    DELETE FROM events_fts WHERE rowid = old.id;
    INSERT INTO events_fts(rowid, text)
        SELECT id, text FROM events_search_text WHERE id = new.id AND text IS NOT NULL;
END;

-- The events already stored.
INSERT INTO rollup_hour
    SELECT time_us - (time_us % 3600000000), event, coalesce(project, ''),
           coalesce(tool_name, ''), coalesce(mcp_server, ''), coalesce(class, ''), count(*)
      FROM events GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO rollup_fingerprint_day
    SELECT time_us - (time_us % 86400000000), fingerprint, coalesce(project, ''),
           coalesce(tool_name, ''), coalesce(class, ''), count(*), max(id)
      FROM events
     WHERE event = 'PostToolUseFailure' AND fingerprint IS NOT NULL AND fingerprint != '-'
     GROUP BY 1, 2, 3, 4, 5;
INSERT INTO session_summary
    SELECT session_id, max(project), min(time_us), max(time_us), count(*),
           sum(event IN ('PostToolUse', 'PostToolUseFailure')),
           sum(event = 'PostToolUseFailure'), sum(event = 'StopFailure'),
           sum(coalesce(guard_decision IN ('deny', 'ask'), 0))
      FROM events WHERE session_id IS NOT NULL GROUP BY session_id;
INSERT INTO events_fts(rowid, text)
    SELECT id, text FROM events_search_text WHERE text IS NOT NULL;
