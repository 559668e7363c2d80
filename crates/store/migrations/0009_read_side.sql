-- The read side on a large store (BENCHMARKS.md, "The dashboard on a
-- million events"): measured on a generated store of 1,000,000 events.

-- 1. Coarser rollups, kept by the same triggers as 0008's. rollup_hour has
--    164,500 rows on a million events over 90 days: every long-range figure
--    of the overview and every filter menu scanned and sorted all of them.
--    Days for the whole days of a range (54,000 rows), and all time for the
--    filter menus and `hookwatch stats` (1,235 rows). '' stands for NULL.
CREATE TABLE rollup_day (
    day_us     INTEGER NOT NULL,
    event      TEXT    NOT NULL,
    project    TEXT    NOT NULL,
    tool       TEXT    NOT NULL,
    mcp_server TEXT    NOT NULL,
    class      TEXT    NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (day_us, event, project, tool, mcp_server, class)
) WITHOUT ROWID;

CREATE TABLE rollup_total (
    event      TEXT    NOT NULL,
    project    TEXT    NOT NULL,
    tool       TEXT    NOT NULL,
    mcp_server TEXT    NOT NULL,
    class      TEXT    NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (event, project, tool, mcp_server, class)
) WITHOUT ROWID;

INSERT INTO rollup_day
    SELECT hour_us - (hour_us % 86400000000), event, project, tool, mcp_server, class, sum(n)
      FROM rollup_hour GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO rollup_total
    SELECT event, project, tool, mcp_server, class, sum(n)
      FROM rollup_hour GROUP BY 1, 2, 3, 4, 5;

-- 2. The triggers of 0008, with the rollups above, and with an emptied
--    rollup row deleted by its key: 0008's `DELETE ... WHERE n <= 0` scanned
--    the whole rollup for every deleted or reclassified event (about 35 ms
--    each on a million events: the first query after 810 StopFailures were
--    ingested took 12.7 s to classify them).
DROP TRIGGER events_views_insert;
DROP TRIGGER events_views_delete;
DROP TRIGGER events_views_update;

CREATE TRIGGER events_views_insert AFTER INSERT ON events BEGIN
    INSERT INTO rollup_hour VALUES (
        new.time_us - (new.time_us % 3600000000), new.event, coalesce(new.project, ''),
        coalesce(new.tool_name, ''), coalesce(new.mcp_server, ''), coalesce(new.class, ''), 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO rollup_day VALUES (
        new.time_us - (new.time_us % 86400000000), new.event, coalesce(new.project, ''),
        coalesce(new.tool_name, ''), coalesce(new.mcp_server, ''), coalesce(new.class, ''), 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
    INSERT INTO rollup_total VALUES (
        new.event, coalesce(new.project, ''), coalesce(new.tool_name, ''),
        coalesce(new.mcp_server, ''), coalesce(new.class, ''), 1)
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
    DELETE FROM rollup_hour
     WHERE hour_us = old.time_us - (old.time_us % 3600000000) AND event = old.event
       AND project = coalesce(old.project, '') AND tool = coalesce(old.tool_name, '')
       AND mcp_server = coalesce(old.mcp_server, '') AND class = coalesce(old.class, '')
       AND n <= 0;
    UPDATE rollup_day SET n = n - 1
     WHERE day_us = old.time_us - (old.time_us % 86400000000) AND event = old.event
       AND project = coalesce(old.project, '') AND tool = coalesce(old.tool_name, '')
       AND mcp_server = coalesce(old.mcp_server, '') AND class = coalesce(old.class, '');
    DELETE FROM rollup_day
     WHERE day_us = old.time_us - (old.time_us % 86400000000) AND event = old.event
       AND project = coalesce(old.project, '') AND tool = coalesce(old.tool_name, '')
       AND mcp_server = coalesce(old.mcp_server, '') AND class = coalesce(old.class, '')
       AND n <= 0;
    UPDATE rollup_total SET n = n - 1
     WHERE event = old.event AND project = coalesce(old.project, '')
       AND tool = coalesce(old.tool_name, '') AND mcp_server = coalesce(old.mcp_server, '')
       AND class = coalesce(old.class, '');
    DELETE FROM rollup_total
     WHERE event = old.event AND project = coalesce(old.project, '')
       AND tool = coalesce(old.tool_name, '') AND mcp_server = coalesce(old.mcp_server, '')
       AND class = coalesce(old.class, '') AND n <= 0;
    UPDATE rollup_fingerprint_day SET n = n - 1
     WHERE old.event = 'PostToolUseFailure' AND fingerprint = old.fingerprint
       AND day_us = old.time_us - (old.time_us % 86400000000)
       AND project = coalesce(old.project, '') AND tool = coalesce(old.tool_name, '')
       AND class = coalesce(old.class, '');
    DELETE FROM rollup_fingerprint_day
     WHERE old.event = 'PostToolUseFailure' AND fingerprint = old.fingerprint
       AND day_us = old.time_us - (old.time_us % 86400000000)
       AND project = coalesce(old.project, '') AND tool = coalesce(old.tool_name, '')
       AND class = coalesce(old.class, '') AND n <= 0;
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

CREATE TRIGGER events_views_update AFTER UPDATE OF class, fingerprint, project, tool_name,
    mcp_server, event, time_us ON events BEGIN
    UPDATE rollup_hour SET n = n - 1
     WHERE hour_us = old.time_us - (old.time_us % 3600000000) AND event = old.event
       AND project = coalesce(old.project, '') AND tool = coalesce(old.tool_name, '')
       AND mcp_server = coalesce(old.mcp_server, '') AND class = coalesce(old.class, '');
    DELETE FROM rollup_hour
     WHERE hour_us = old.time_us - (old.time_us % 3600000000) AND event = old.event
       AND project = coalesce(old.project, '') AND tool = coalesce(old.tool_name, '')
       AND mcp_server = coalesce(old.mcp_server, '') AND class = coalesce(old.class, '')
       AND n <= 0;
    INSERT INTO rollup_hour VALUES (
        new.time_us - (new.time_us % 3600000000), new.event, coalesce(new.project, ''),
        coalesce(new.tool_name, ''), coalesce(new.mcp_server, ''), coalesce(new.class, ''), 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
    UPDATE rollup_day SET n = n - 1
     WHERE day_us = old.time_us - (old.time_us % 86400000000) AND event = old.event
       AND project = coalesce(old.project, '') AND tool = coalesce(old.tool_name, '')
       AND mcp_server = coalesce(old.mcp_server, '') AND class = coalesce(old.class, '');
    DELETE FROM rollup_day
     WHERE day_us = old.time_us - (old.time_us % 86400000000) AND event = old.event
       AND project = coalesce(old.project, '') AND tool = coalesce(old.tool_name, '')
       AND mcp_server = coalesce(old.mcp_server, '') AND class = coalesce(old.class, '')
       AND n <= 0;
    INSERT INTO rollup_day VALUES (
        new.time_us - (new.time_us % 86400000000), new.event, coalesce(new.project, ''),
        coalesce(new.tool_name, ''), coalesce(new.mcp_server, ''), coalesce(new.class, ''), 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
    UPDATE rollup_total SET n = n - 1
     WHERE event = old.event AND project = coalesce(old.project, '')
       AND tool = coalesce(old.tool_name, '') AND mcp_server = coalesce(old.mcp_server, '')
       AND class = coalesce(old.class, '');
    DELETE FROM rollup_total
     WHERE event = old.event AND project = coalesce(old.project, '')
       AND tool = coalesce(old.tool_name, '') AND mcp_server = coalesce(old.mcp_server, '')
       AND class = coalesce(old.class, '') AND n <= 0;
    INSERT INTO rollup_total VALUES (
        new.event, coalesce(new.project, ''), coalesce(new.tool_name, ''),
        coalesce(new.mcp_server, ''), coalesce(new.class, ''), 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
    UPDATE rollup_fingerprint_day SET n = n - 1
     WHERE old.event = 'PostToolUseFailure' AND fingerprint = old.fingerprint
       AND day_us = old.time_us - (old.time_us % 86400000000)
       AND project = coalesce(old.project, '') AND tool = coalesce(old.tool_name, '')
       AND class = coalesce(old.class, '');
    DELETE FROM rollup_fingerprint_day
     WHERE old.event = 'PostToolUseFailure' AND fingerprint = old.fingerprint
       AND day_us = old.time_us - (old.time_us % 86400000000)
       AND project = coalesce(old.project, '') AND tool = coalesce(old.tool_name, '')
       AND class = coalesce(old.class, '') AND n <= 0;
    INSERT INTO rollup_fingerprint_day
        SELECT new.time_us - (new.time_us % 86400000000), new.fingerprint,
               coalesce(new.project, ''), coalesce(new.tool_name, ''), coalesce(new.class, ''),
               1, new.id
         WHERE new.event = 'PostToolUseFailure' AND new.fingerprint IS NOT NULL
           AND new.fingerprint != '-'
    ON CONFLICT DO UPDATE SET n = n + 1, last_id = max(last_id, excluded.last_id);
END;

-- 3. Indexes, partial: an event without a tool (a tenth of them) or without
--    a class (all but failures and StopFailures) adds nothing to them.
-- The dashboard's sessions with a tool or class filter ask each session
-- whether it had such an event: one probe here, where SQLite otherwise
-- walked every event of that tool for each session (49 s for the last
-- day's sessions with a Bash call).
CREATE INDEX events_session_tool ON events(session_id, tool_name) WHERE tool_name IS NOT NULL;
CREATE INDEX events_session_class ON events(session_id, class) WHERE class IS NOT NULL;
-- `hookwatch events --class C`: the newest failures of a class without a
-- scan of the events back to the last one.
CREATE INDEX events_class ON events(class, time_us) WHERE class IS NOT NULL;

-- `hookwatch stats` reads the failures four times (per class, top
-- fingerprints, repeated ones, interrupts): every column it asks for, in
-- an index of the failures alone, so it never reads their rows (a few KB
-- each, error text and payload; 90-145 ms per question on a million events,
-- 3-55 ms from here).
CREATE INDEX events_failures ON events(time_us, fingerprint, session_id, class, expected,
    is_interrupt, tool_name, mcp_server, project, command_head)
    WHERE event = 'PostToolUseFailure';
-- Failures not analysed yet (recorded before failure analysis existed,
-- rebuilt, rescued): every query command looks for them first, and found
-- none by reading every failure (70 ms on a million events). Empty as a rule.
CREATE INDEX events_unanalysed ON events(id)
    WHERE event = 'PostToolUseFailure' AND fingerprint IS NULL;
