-- Alerting. Routing is exactly-once by a cursor over events.id, moved in
-- the same transaction that inserts the alerts it produced; the cursor
-- starts at the newest event, so turning alerts on never alerts history.
CREATE TABLE alert_cursor (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    last_event_id INTEGER NOT NULL
);
INSERT INTO alert_cursor VALUES (1, (SELECT coalesce(max(id), 0) FROM events));

-- One row per (event, route, target) the routing tree sent the event to.
-- state: pending (waiting for its group's flush), notified, deduplicated,
-- silenced, inhibited; reason says by what.
CREATE TABLE alerts (
    id              INTEGER PRIMARY KEY,
    event_id        INTEGER NOT NULL,
    time_us         INTEGER NOT NULL,
    routed_us       INTEGER NOT NULL,
    route           TEXT    NOT NULL,
    group_key       TEXT    NOT NULL,
    target          TEXT    NOT NULL,
    fingerprint     TEXT    NOT NULL,
    labels          TEXT    NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'pending',
    reason          TEXT,
    notification_id INTEGER,
    UNIQUE (event_id, route, target)
);
CREATE INDEX alerts_group ON alerts(group_key, state);
CREATE INDEX alerts_routed ON alerts(routed_us);

-- Grouping timers (Alertmanager's group_wait / group_interval).
CREATE TABLE alert_groups (
    group_key         TEXT PRIMARY KEY,
    route             TEXT    NOT NULL,
    labels            TEXT    NOT NULL,
    session           TEXT,
    group_interval_us INTEGER NOT NULL,
    created_us        INTEGER NOT NULL,
    next_flush_us     INTEGER,            -- NULL: nothing waiting
    last_flush_us     INTEGER,
    firing_since_us   INTEGER             -- a StopFailure was notified and not resolved
);
CREATE INDEX alert_groups_flush ON alert_groups(next_flush_us) WHERE next_flush_us IS NOT NULL;
CREATE INDEX alert_groups_firing ON alert_groups(session) WHERE firing_since_us IS NOT NULL;

-- The outbox: one row per notification to one target. Claimed with a
-- lease; a worker that dies leaves a lease that expires, and the row is
-- sent again (at-least-once; `key` is the receiver's idempotency key).
CREATE TABLE notifications (
    id              INTEGER PRIMARY KEY,
    target          TEXT    NOT NULL,
    group_key       TEXT    NOT NULL,
    key             TEXT    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL,     -- firing, resolved, test, broken-target report
    body            TEXT    NOT NULL,     -- the notification (JSON), the same on every attempt
    state           TEXT    NOT NULL DEFAULT 'pending',  -- pending, sent, dead
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_us      INTEGER NOT NULL,
    deadline_us     INTEGER NOT NULL,
    next_attempt_us INTEGER NOT NULL,
    lease_until_us  INTEGER,
    last_status     INTEGER,
    last_error      TEXT,
    answer          TEXT,
    sent_us         INTEGER
);
CREATE INDEX notifications_due ON notifications(state, next_attempt_us);
CREATE INDEX notifications_sent ON notifications(target, sent_us);

-- Dedup: when a fingerprint last went to a target.
CREATE TABLE sent_fingerprints (
    target          TEXT    NOT NULL,
    fingerprint     TEXT    NOT NULL,
    sent_us         INTEGER NOT NULL,
    notification_id INTEGER NOT NULL,
    PRIMARY KEY (target, fingerprint)
);

CREATE TABLE silences (
    id         INTEGER PRIMARY KEY,
    matchers   TEXT    NOT NULL,          -- JSON list of "name=value" strings
    starts_us  INTEGER NOT NULL,
    ends_us    INTEGER NOT NULL,
    created_by TEXT    NOT NULL,
    comment    TEXT    NOT NULL,
    created_us INTEGER NOT NULL
);

-- A target that answered with a permanent error is reported once, until it
-- delivers again.
CREATE TABLE target_state (
    target          TEXT PRIMARY KEY,
    broken_since_us INTEGER,
    broken_error    TEXT,
    last_ok_us      INTEGER
);
