-- StopFailure recovery. Like alert routing, StopFailures are looked at
-- exactly once, by a cursor over events.id that starts at the newest event.
CREATE TABLE recover_cursor (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    last_event_id INTEGER NOT NULL
);
INSERT INTO recover_cursor VALUES (1, (SELECT coalesce(max(id), 0) FROM events));

-- One row per decision about a StopFailure: a resume job (scheduled,
-- running, succeeded, failed, cancelled, skipped) or a refusal (not_retried,
-- gave_up). At most one job per session is scheduled or running.
CREATE TABLE recover_jobs (
    id          INTEGER PRIMARY KEY,
    session     TEXT    NOT NULL,
    event_id    INTEGER NOT NULL,
    failure_us  INTEGER NOT NULL,       -- the StopFailure's time
    project     TEXT,
    cwd         TEXT,
    error_type  TEXT    NOT NULL,
    kind        TEXT    NOT NULL,       -- retryable, needs_person, bad_request, output_limited, unknown
    state       TEXT    NOT NULL,
    attempt     INTEGER NOT NULL,       -- n-th resume of this session (0 for refusals)
    created_us  INTEGER NOT NULL,
    due_us      INTEGER,
    wait        TEXT,                   -- why that time: backoff, or the reset time the message gave
    started_us  INTEGER,
    finished_us INTEGER,
    runner_pid  INTEGER,
    exit_code   INTEGER,
    outcome     TEXT,
    log_path    TEXT
);
CREATE UNIQUE INDEX recover_jobs_one_active ON recover_jobs(session)
    WHERE state IN ('scheduled', 'running');
CREATE INDEX recover_jobs_session ON recover_jobs(session, id);
CREATE INDEX recover_jobs_state ON recover_jobs(state, due_us);
