-- OpenTelemetry export ([otel]). One cursor per signal (logs, metrics,
-- traces) over events.id, moved in the same transaction that records the
-- batch as accepted by the collector: a collector that is down holds the
-- cursor, and retention keeps what it has not exported. The cursors start
-- at the newest event and stay at the head while [otel] is off, so turning
-- export on never sends history.
CREATE TABLE otel_export (
    signal          TEXT    PRIMARY KEY,     -- logs, metrics, traces
    last_event_id   INTEGER NOT NULL,
    started_us      INTEGER NOT NULL,        -- cumulative metrics start here
    window_end_us   INTEGER NOT NULL,        -- metrics: the end of the last window sent
    attempts        INTEGER NOT NULL DEFAULT 0,  -- failed attempts of the batch at the cursor
    next_attempt_us INTEGER,                 -- NULL: nothing waiting
    last_ok_us      INTEGER,
    last_error      TEXT,
    last_error_us   INTEGER,
    last_status     INTEGER,
    batches         INTEGER NOT NULL DEFAULT 0,
    items           INTEGER NOT NULL DEFAULT 0,  -- records, data points or spans accepted
    rejected        INTEGER NOT NULL DEFAULT 0,  -- refused by the collector (partial success, 400)
    dropped         INTEGER NOT NULL DEFAULT 0   -- events skipped: over max_queue
);
INSERT INTO otel_export (signal, last_event_id, started_us, window_end_us)
    SELECT s.value, (SELECT coalesce(max(id), 0) FROM events),
           CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER),
           CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)
      FROM json_each('["logs","metrics","traces"]') AS s;

-- Cumulative metrics: the running totals per series, updated with the
-- metrics cursor. `attrs` is the series' attributes as canonical JSON.
CREATE TABLE otel_metric_totals (
    metric  TEXT    NOT NULL,
    project TEXT    NOT NULL,             -- '' when none (a resource attribute)
    attrs   TEXT    NOT NULL,
    count   INTEGER NOT NULL,             -- sums: the value; histograms: the count
    sum     REAL    NOT NULL DEFAULT 0,
    min     REAL,
    max     REAL,
    buckets TEXT,                         -- histograms: JSON list of bucket counts
    PRIMARY KEY (metric, project, attrs)
) WITHOUT ROWID;

-- When an outbox row went dead (alerts dead per metrics window).
ALTER TABLE notifications ADD COLUMN dead_us INTEGER;
