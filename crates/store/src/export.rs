//! OpenTelemetry export ([otel]): a cursor per signal over `events.id`,
//! moved in the same transaction that records the batch as accepted, with
//! the running totals of cumulative metrics; and the few lookups the trace
//! and metrics builders need (when a tool call or turn started, what
//! recovery decided, alerts and recovery per time window).

use crate::{row_from_sql, sql_err, EventRow, Result, Store, SELECT_ROW};
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use serde::Serialize;

/// The signals, each with its own cursor: a collector refusing traces does
/// not hold up logs.
pub const SIGNALS: [&str; 3] = ["logs", "metrics", "traces"];

/// One signal's export state (`hookwatch otel status`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ExportState {
    pub signal: String,
    pub last_event_id: i64,
    /// Stored events after the cursor, waiting to be exported.
    pub lag: i64,
    /// Time of the oldest waiting event.
    pub oldest_waiting_us: Option<i64>,
    pub started_us: i64,
    pub window_end_us: i64,
    pub attempts: i64,
    pub next_attempt_us: Option<i64>,
    pub last_ok_us: Option<i64>,
    pub last_error: Option<String>,
    pub last_error_us: Option<i64>,
    pub last_status: Option<i64>,
    pub batches: i64,
    pub items: i64,
    pub rejected: i64,
    pub dropped: i64,
}

/// A batch the collector accepted (wholly or in part).
#[derive(Debug, Clone, Default)]
pub struct ExportCommit<'a> {
    pub signal: &'a str,
    /// The cursor as read with the batch, and where it moves.
    pub from: i64,
    pub to: i64,
    pub now_us: i64,
    pub items: i64,
    pub rejected: i64,
    /// The collector's partial-success message.
    pub message: Option<String>,
    /// Metrics: the end of the window just sent.
    pub window_end_us: Option<i64>,
    /// Metrics (cumulative): the series' new totals.
    pub totals: &'a [MetricTotal],
}

/// A cumulative series' running total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricTotal {
    pub metric: String,
    pub project: String,
    /// The attributes as canonical JSON (an object, keys sorted).
    pub attrs: String,
    /// A sum's value, or a histogram's count.
    pub count: i64,
    pub sum: f64,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// Histograms: counts per bucket; empty for sums.
    pub buckets: Vec<u64>,
}

/// Alerts (outbox rows) that reached a final state in a window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertCount {
    pub target: String,
    pub kind: String,
    /// `sent` or `dead`.
    pub state: String,
    pub count: i64,
}

/// Recovery decisions (made in a window) or outcomes (finished in it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecoverCount {
    pub state: String,
    pub kind: String,
    pub count: i64,
}

fn state_from_sql(r: &rusqlite::Row<'_>) -> rusqlite::Result<ExportState> {
    Ok(ExportState {
        signal: r.get(0)?,
        last_event_id: r.get(1)?,
        started_us: r.get(2)?,
        window_end_us: r.get(3)?,
        attempts: r.get(4)?,
        next_attempt_us: r.get(5)?,
        last_ok_us: r.get(6)?,
        last_error: r.get(7)?,
        last_error_us: r.get(8)?,
        last_status: r.get(9)?,
        batches: r.get(10)?,
        items: r.get(11)?,
        rejected: r.get(12)?,
        dropped: r.get(13)?,
        lag: r.get(14)?,
        oldest_waiting_us: r.get(15)?,
    })
}

impl Store {
    /// Every signal's state, with how far it is behind.
    pub fn export_states(&self) -> Result<Vec<ExportState>> {
        self.rows(
            "SELECT signal, last_event_id, started_us, window_end_us, attempts, next_attempt_us,
                    last_ok_us, last_error, last_error_us, last_status, batches, items, rejected,
                    dropped,
                    (SELECT count(*) FROM events WHERE id > o.last_event_id),
                    (SELECT time_us FROM events WHERE id > o.last_event_id ORDER BY id LIMIT 1)
               FROM otel_export o ORDER BY signal",
            [],
            state_from_sql,
        )
    }

    /// Move a signal's cursor past every stored event and forget its
    /// failures (export off, or the signal not exported).
    pub fn export_to_head(&mut self, signal: &str, now_us: i64) -> Result<()> {
        let e = sql_err(&self.path);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&e)?;
        let moved = tx
            .execute(
                "UPDATE otel_export SET last_event_id = (SELECT coalesce(max(id), 0) FROM events),
                     attempts = 0, next_attempt_us = NULL, started_us = ?2, window_end_us = ?2
                 WHERE signal = ?1
                   AND (last_event_id < (SELECT coalesce(max(id), 0) FROM events)
                        OR next_attempt_us IS NOT NULL)",
                params![signal, now_us],
            )
            .map_err(&e)?;
        // Cumulative series start again with `started_us`: totals from
        // before would look like a reset followed by a jump.
        if moved > 0 && signal == "metrics" {
            tx.execute("DELETE FROM otel_metric_totals", [])
                .map_err(&e)?;
        }
        tx.commit().map_err(&e)
    }

    /// Is any exported signal's cursor behind the newest event, and free to
    /// move (not waiting for a retry)?
    pub fn export_behind(&self, signals: &[&str], now_us: i64) -> Result<bool> {
        let mut behind = false;
        for s in signals {
            behind |= self
                .conn
                .query_row(
                    "SELECT last_event_id < (SELECT coalesce(max(id), 0) FROM events)
                            AND (next_attempt_us IS NULL OR next_attempt_us <= ?2)
                       FROM otel_export WHERE signal = ?1",
                    params![s, now_us],
                    |r| r.get::<_, bool>(0),
                )
                .optional()
                .map_err(sql_err(&self.path))?
                .unwrap_or(false);
        }
        Ok(behind)
    }

    /// The next batch of a signal: up to `limit` events after its cursor
    /// and at most `upto` (events another pass must see first stay back).
    pub fn unexported(
        &self,
        signal: &str,
        limit: usize,
        upto: i64,
    ) -> Result<(i64, Vec<EventRow>)> {
        let e = sql_err(&self.path);
        let cursor: i64 = self
            .conn
            .query_row(
                "SELECT last_event_id FROM otel_export WHERE signal = ?1",
                [signal],
                |r| r.get(0),
            )
            .map_err(&e)?;
        let rows = self.rows(
            &format!("{SELECT_ROW} WHERE id > ?1 AND id <= ?2 ORDER BY id LIMIT ?3"),
            params![cursor, upto, limit as i64],
            row_from_sql,
        )?;
        Ok((cursor, rows))
    }

    /// The bounded queue: when more than `max_queue` events wait, skip the
    /// oldest so `max_queue` remain, and count them as dropped. Returns how
    /// many were dropped now.
    pub fn export_drop_over(&mut self, signal: &str, max_queue: i64) -> Result<i64> {
        let e = sql_err(&self.path);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&e)?;
        let cursor: i64 = tx
            .query_row(
                "SELECT last_event_id FROM otel_export WHERE signal = ?1",
                [signal],
                |r| r.get(0),
            )
            .map_err(&e)?;
        // The id that leaves exactly `max_queue` events after it.
        let keep_from: Option<i64> = tx
            .query_row(
                "SELECT id FROM events WHERE id > ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2",
                params![cursor, max_queue.max(0)],
                |r| r.get(0),
            )
            .optional()
            .map_err(&e)?;
        let Some(new_cursor) = keep_from else {
            return Ok(0);
        };
        let dropped: i64 = tx
            .query_row(
                "SELECT count(*) FROM events WHERE id > ?1 AND id <= ?2",
                params![cursor, new_cursor],
                |r| r.get(0),
            )
            .map_err(&e)?;
        tx.execute(
            // The retry state stays: a collector that is down is not asked
            // again sooner because events were dropped.
            "UPDATE otel_export SET last_event_id = ?2, dropped = dropped + ?3 WHERE signal = ?1",
            params![signal, new_cursor, dropped],
        )
        .map_err(&e)?;
        tx.commit().map_err(&e)?;
        Ok(dropped)
    }

    /// Record a batch as accepted and move the cursor, in one transaction.
    /// Ok(false) when another worker moved the cursor first.
    pub fn commit_export(&mut self, c: &ExportCommit<'_>) -> Result<bool> {
        let e = sql_err(&self.path);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&e)?;
        let moved = tx
            .execute(
                "UPDATE otel_export SET last_event_id = ?3, attempts = 0, next_attempt_us = NULL,
                     last_ok_us = ?4, batches = batches + 1, items = items + ?5,
                     rejected = rejected + ?6, last_status = 200,
                     last_error = coalesce(?7, last_error),
                     last_error_us = CASE WHEN ?7 IS NULL THEN last_error_us ELSE ?4 END,
                     window_end_us = coalesce(?8, window_end_us)
                 WHERE signal = ?1 AND last_event_id = ?2",
                params![
                    c.signal,
                    c.from,
                    c.to,
                    c.now_us,
                    c.items,
                    c.rejected,
                    c.message,
                    c.window_end_us
                ],
            )
            .map_err(&e)?;
        if moved == 0 {
            return Ok(false);
        }
        for t in c.totals {
            tx.execute(
                "INSERT INTO otel_metric_totals (metric, project, attrs, count, sum, min, max, buckets)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT DO UPDATE SET count = excluded.count, sum = excluded.sum,
                     min = excluded.min, max = excluded.max, buckets = excluded.buckets",
                params![
                    t.metric,
                    t.project,
                    t.attrs,
                    t.count,
                    t.sum,
                    t.min,
                    t.max,
                    (!t.buckets.is_empty())
                        .then(|| serde_json::to_string(&t.buckets).unwrap_or_default())
                ],
            )
            .map_err(&e)?;
        }
        tx.commit().map_err(&e)?;
        Ok(true)
    }

    /// A batch was not accepted: keep the cursor, count the attempt and
    /// say when to try again (None: the batch was given up, see `skip_to`).
    pub fn export_failed(
        &mut self,
        signal: &str,
        status: Option<u16>,
        error: &str,
        now_us: i64,
        next_attempt_us: i64,
    ) -> Result<()> {
        self.conn
            .execute(
                "UPDATE otel_export SET attempts = attempts + 1, next_attempt_us = ?5,
                     last_status = ?2, last_error = ?3, last_error_us = ?4
                 WHERE signal = ?1",
                params![signal, status, error, now_us, next_attempt_us],
            )
            .map(|_| ())
            .map_err(sql_err(&self.path))
    }

    /// A batch the collector refused for good (a 400: it cannot be
    /// decoded or is too large): move past it and count it as rejected
    /// (`c.rejected`, with the answer in `c.message`).
    pub fn export_rejected(&mut self, c: &ExportCommit<'_>, status: Option<u16>) -> Result<bool> {
        self.conn
            .execute(
                "UPDATE otel_export SET last_event_id = ?3, attempts = 0, next_attempt_us = NULL,
                     rejected = rejected + ?4, last_status = ?5, last_error = ?6,
                     last_error_us = ?7
                 WHERE signal = ?1 AND last_event_id = ?2",
                params![c.signal, c.from, c.to, c.rejected, status, c.message, c.now_us],
            )
            .map(|n| n == 1)
            .map_err(sql_err(&self.path))
    }

    /// When the next retry of a signal is due.
    pub fn next_export_due(&self, signals: &[&str]) -> Result<Option<i64>> {
        let mut due: Option<i64> = None;
        for s in signals {
            let t: Option<i64> = self
                .conn
                .query_row(
                    "SELECT next_attempt_us FROM otel_export WHERE signal = ?1",
                    [s],
                    |r| r.get(0),
                )
                .optional()
                .map_err(sql_err(&self.path))?
                .flatten();
            due = match (due, t) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        Ok(due)
    }

    /// When a tool call began: its PreToolUse, before event `before_id`.
    pub fn tool_call_start(
        &self,
        session: &str,
        tool_use_id: &str,
        before_id: i64,
    ) -> Result<Option<i64>> {
        self.conn
            .query_row(
                "SELECT time_us FROM events
                  WHERE session_id = ?1 AND tool_use_id = ?2 AND event = 'PreToolUse' AND id < ?3
                  ORDER BY id DESC LIMIT 1",
                params![session, tool_use_id, before_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql_err(&self.path))
    }

    /// When the turn that ends with event `before_id` began: its prompt
    /// (UserPromptSubmit), else the session's first event.
    pub fn turn_start(&self, session: &str, before_id: i64) -> Result<Option<i64>> {
        let e = sql_err(&self.path);
        let prompt: Option<i64> = self
            .conn
            .query_row(
                "SELECT time_us FROM events
                  WHERE session_id = ?1 AND event = 'UserPromptSubmit' AND id < ?2
                  ORDER BY id DESC LIMIT 1",
                params![session, before_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(&e)?;
        match prompt {
            Some(t) => Ok(Some(t)),
            None => self.session_start(session),
        }
    }

    /// The time of the session's last `events` event before `before_id`
    /// (the previous Stop of a turn that went on, the previous SessionEnd
    /// of a resumed session).
    pub fn previous_event(
        &self,
        session: &str,
        events: &[&str],
        before_id: i64,
    ) -> Result<Option<i64>> {
        let list = serde_json::to_string(events).unwrap_or_default();
        self.conn
            .query_row(
                "SELECT time_us FROM events
                  WHERE session_id = ?1 AND id < ?2
                    AND event IN (SELECT value FROM json_each(?3))
                  ORDER BY id DESC LIMIT 1",
                params![session, before_id, list],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql_err(&self.path))
    }

    /// When a subagent started (its SubagentStart), before `before_id`.
    pub fn subagent_start(
        &self,
        session: &str,
        agent_id: &str,
        before_id: i64,
    ) -> Result<Option<i64>> {
        self.conn
            .query_row(
                "SELECT time_us FROM events
                  WHERE session_id = ?1 AND agent_id = ?2 AND id < ?3
                  ORDER BY id LIMIT 1",
                params![session, agent_id, before_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql_err(&self.path))
    }

    /// The time of a session's first stored event.
    pub fn session_start(&self, session: &str) -> Result<Option<i64>> {
        self.conn
            .query_row(
                "SELECT min(time_us) FROM events WHERE session_id = ?1",
                [session],
                |r| r.get(0),
            )
            .map_err(sql_err(&self.path))
    }

    /// What recovery decided about a StopFailure: (state, kind) of its
    /// first decision.
    pub fn recover_decision(&self, event_id: i64) -> Result<Option<(String, String)>> {
        self.conn
            .query_row(
                "SELECT state, kind FROM recover_jobs WHERE event_id = ?1 ORDER BY id LIMIT 1",
                [event_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(sql_err(&self.path))
    }

    /// Every cumulative series' running total.
    pub fn metric_totals(&self) -> Result<Vec<MetricTotal>> {
        self.rows(
            "SELECT metric, project, attrs, count, sum, min, max, buckets
               FROM otel_metric_totals ORDER BY metric, project, attrs",
            [],
            |r| {
                Ok(MetricTotal {
                    metric: r.get(0)?,
                    project: r.get(1)?,
                    attrs: r.get(2)?,
                    count: r.get(3)?,
                    sum: r.get(4)?,
                    min: r.get(5)?,
                    max: r.get(6)?,
                    buckets: r
                        .get::<_, Option<String>>(7)?
                        .and_then(|b| serde_json::from_str(&b).ok())
                        .unwrap_or_default(),
                })
            },
        )
    }

    /// Outbox rows sent or gone dead in `(from, to]`, per target and kind.
    pub fn alert_counts_between(&self, from_us: i64, to_us: i64) -> Result<Vec<AlertCount>> {
        self.rows(
            "SELECT target, kind, 'sent', count(*) FROM notifications
              WHERE state = 'sent' AND sent_us > ?1 AND sent_us <= ?2 GROUP BY 1, 2
             UNION ALL
             SELECT target, kind, 'dead', count(*) FROM notifications
              WHERE state = 'dead' AND dead_us > ?1 AND dead_us <= ?2 GROUP BY 1, 2
             ORDER BY 1, 2, 3",
            [from_us, to_us],
            |r| {
                Ok(AlertCount {
                    target: r.get(0)?,
                    kind: r.get(1)?,
                    state: r.get(2)?,
                    count: r.get(3)?,
                })
            },
        )
    }

    /// Recovery decisions made in `(from, to]` (a resume scheduled, or
    /// refused), and jobs that finished in it (succeeded, failed,
    /// cancelled, skipped).
    pub fn recover_counts_between(
        &self,
        from_us: i64,
        to_us: i64,
    ) -> Result<(Vec<RecoverCount>, Vec<RecoverCount>)> {
        let counts = |sql: &str| {
            self.rows(sql, [from_us, to_us], |r| {
                Ok(RecoverCount {
                    state: r.get(0)?,
                    kind: r.get(1)?,
                    count: r.get(2)?,
                })
            })
        };
        let decisions = counts(
            "SELECT CASE WHEN state IN ('not_retried', 'gave_up') THEN state ELSE 'scheduled' END,
                    kind, count(*)
               FROM recover_jobs WHERE created_us > ?1 AND created_us <= ?2
              GROUP BY 1, 2 ORDER BY 1, 2",
        )?;
        let outcomes = counts(
            "SELECT state, kind, count(*) FROM recover_jobs
              WHERE finished_us > ?1 AND finished_us <= ?2
                AND state IN ('succeeded', 'failed', 'cancelled', 'skipped')
              GROUP BY 1, 2 ORDER BY 1, 2",
        )?;
        Ok((decisions, outcomes))
    }
}

impl Store {
    /// A signal's failed attempts at its current batch, and when the next
    /// one is due.
    pub fn export_attempts(&self, signal: &str) -> Result<(i64, Option<i64>, i64, i64)> {
        self.conn
            .query_row(
                "SELECT attempts, next_attempt_us, started_us, window_end_us
                   FROM otel_export WHERE signal = ?1",
                [signal],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .map_err(sql_err(&self.path))
    }

    /// How far recovery has looked: export waits for it, so a StopFailure's
    /// record carries recovery's decision.
    pub fn recover_cursor(&self) -> Result<i64> {
        self.conn
            .query_row("SELECT last_event_id FROM recover_cursor", [], |r| r.get(0))
            .map_err(sql_err(&self.path))
    }

    /// The newest event's id.
    pub fn head_id(&self) -> Result<i64> {
        self.conn
            .query_row("SELECT coalesce(max(id), 0) FROM events", [], |r| r.get(0))
            .map_err(sql_err(&self.path))
    }
}
