//! The store side of attention notifications ([notify]): the cursor, the
//! decisions, and the facts of a turn. The decisions themselves are made by
//! the worker with `hookwatch_attention`.

use crate::outbox::{insert_notification, NewNotification};
use crate::{row_from_sql, sql_err, EventRow, Result, Store, SELECT_ROW};
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use serde::Serialize;

/// A decision to record.
#[derive(Debug, Clone)]
pub struct NewAttention {
    pub event_id: i64,
    pub time_us: i64,
    pub session: Option<String>,
    pub kind: String,
    pub cause: String,
    pub turn_key: Option<String>,
    /// held, sent or suppressed.
    pub state: String,
    pub reason: Option<String>,
    pub due_us: Option<i64>,
    pub notifications: Vec<NewNotification>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttentionRow {
    pub id: i64,
    pub event_id: i64,
    pub time_us: i64,
    pub session: Option<String>,
    pub kind: String,
    pub cause: String,
    pub turn_key: Option<String>,
    pub state: String,
    pub reason: Option<String>,
    pub due_us: Option<i64>,
    pub decided_us: Option<i64>,
    /// Outbox keys of the notifications sent.
    pub keys: Vec<String>,
}

const SELECT_ATTENTION: &str =
    "SELECT id, event_id, time_us, session, kind, cause, turn_key, state,
    reason, due_us, decided_us, keys FROM attention";

fn attention_from_sql(r: &rusqlite::Row<'_>) -> rusqlite::Result<AttentionRow> {
    let keys: Option<String> = r.get(11)?;
    Ok(AttentionRow {
        id: r.get(0)?,
        event_id: r.get(1)?,
        time_us: r.get(2)?,
        session: r.get(3)?,
        kind: r.get(4)?,
        cause: r.get(5)?,
        turn_key: r.get(6)?,
        state: r.get(7)?,
        reason: r.get(8)?,
        due_us: r.get(9)?,
        decided_us: r.get(10)?,
        keys: keys
            .and_then(|k| serde_json::from_str(&k).ok())
            .unwrap_or_default(),
    })
}

/// What a turn did, from the events between its start and its Stop.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TurnFacts {
    /// The prompt that started it, else the first event after the
    /// previous turn.
    pub start_us: Option<i64>,
    pub tool_calls: u64,
    pub files_written: u64,
    pub failures: u64,
}

impl Store {
    /// Events [notify] has not looked at, oldest first, and the cursor.
    pub fn unseen_by_attention(&self, limit: usize) -> Result<(i64, Vec<EventRow>)> {
        let e = sql_err(&self.path);
        let cursor: i64 = self
            .conn
            .query_row("SELECT last_event_id FROM attention_cursor", [], |r| {
                r.get(0)
            })
            .map_err(&e)?;
        let rows = self.rows(
            &format!("{SELECT_ROW} WHERE id > ?1 ORDER BY id LIMIT ?2"),
            params![cursor, limit as i64],
            row_from_sql,
        )?;
        Ok((cursor, rows))
    }

    /// Move the cursor past every stored event ([notify] is off).
    pub fn attention_to_head(&mut self) -> Result<()> {
        let e = sql_err(&self.path);
        self.conn
            .execute(
                "UPDATE attention_cursor SET last_event_id = (SELECT coalesce(max(id), 0) FROM events)",
                [],
            )
            .map(|_| ())
            .map_err(&e)
    }

    /// Is the attention cursor behind the newest event?
    pub fn attention_behind(&self) -> Result<bool> {
        let e = sql_err(&self.path);
        self.conn
            .query_row(
                "SELECT (SELECT last_event_id FROM attention_cursor)
                      < (SELECT coalesce(max(id), 0) FROM events)",
                [],
                |r| r.get(0),
            )
            .map_err(&e)
    }

    /// Record decisions and queue their notifications, and move the cursor
    /// from `from` to `to`, in one transaction: an event is decided exactly
    /// once. `settled`: held decisions (by id) now decided, with their
    /// notifications. Ok(false) when another worker moved the cursor.
    pub fn commit_attention(
        &mut self,
        cursor: Option<(i64, i64)>,
        new: &[NewAttention],
        settled: &[(i64, NewAttention)],
        now_us: i64,
    ) -> Result<bool> {
        let e = sql_err(&self.path);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&e)?;
        if let Some((from, to)) = cursor {
            let moved = tx
                .execute(
                    "UPDATE attention_cursor SET last_event_id = ?2 WHERE last_event_id = ?1",
                    params![from, to],
                )
                .map_err(&e)?;
            if moved == 0 {
                return Ok(false);
            }
        }
        let keys = |a: &NewAttention| {
            (!a.notifications.is_empty()).then(|| {
                serde_json::to_string(
                    &a.notifications
                        .iter()
                        .map(|n| n.key.as_str())
                        .collect::<Vec<_>>(),
                )
                .unwrap_or_default()
            })
        };
        for a in new {
            let decided = (a.state != "held").then_some(now_us);
            tx.execute(
                "INSERT OR IGNORE INTO attention (event_id, time_us, session, kind, cause, turn_key,
                     state, reason, due_us, decided_us, keys)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    a.event_id,
                    a.time_us,
                    a.session,
                    a.kind,
                    a.cause,
                    a.turn_key,
                    a.state,
                    a.reason,
                    a.due_us,
                    decided,
                    keys(a)
                ],
            )
            .map_err(&e)?;
            for n in &a.notifications {
                insert_notification(&tx, n, now_us).map_err(&e)?;
            }
        }
        for (id, a) in settled {
            // Only a row still held: two workers never both settle it.
            let n = tx
                .execute(
                    "UPDATE attention SET state = ?2, reason = ?3, decided_us = ?4, keys = ?5,
                         due_us = NULL
                     WHERE id = ?1 AND state = 'held'",
                    params![id, a.state, a.reason, now_us, keys(a)],
                )
                .map_err(&e)?;
            if n == 1 {
                for n in &a.notifications {
                    insert_notification(&tx, n, now_us).map_err(&e)?;
                }
            }
        }
        tx.commit().map_err(&e)?;
        Ok(true)
    }

    /// Held decisions whose time has come.
    pub fn due_attention(&self, now_us: i64) -> Result<Vec<AttentionRow>> {
        self.rows(
            &format!("{SELECT_ATTENTION} WHERE state = 'held' AND due_us <= ?1 ORDER BY id"),
            [now_us],
            attention_from_sql,
        )
    }

    /// When the next held decision is due.
    pub fn next_attention_due(&self) -> Result<Option<i64>> {
        let e = sql_err(&self.path);
        self.conn
            .query_row(
                "SELECT min(due_us) FROM attention WHERE state = 'held'",
                [],
                |r| r.get(0),
            )
            .map_err(&e)
    }

    /// A decision of the same turn (several Stop hooks, or a Stop hook that
    /// made Claude go on), newest first.
    pub fn attention_of_turn(&self, turn_key: &str) -> Result<Option<AttentionRow>> {
        let e = sql_err(&self.path);
        self.conn
            .query_row(
                &format!("{SELECT_ATTENTION} WHERE turn_key = ?1 ORDER BY id DESC LIMIT 1"),
                [turn_key],
                attention_from_sql,
            )
            .optional()
            .map_err(&e)
    }

    /// When `session` was last sent a notification of `kind`.
    pub fn last_attention_sent(&self, session: &str, kind: &str) -> Result<Option<i64>> {
        let e = sql_err(&self.path);
        self.conn
            .query_row(
                "SELECT max(time_us) FROM attention
                 WHERE session = ?1 AND kind = ?2 AND state = 'sent'",
                params![session, kind],
                |r| r.get(0),
            )
            .map_err(&e)
    }

    /// The newest decisions, for `hookwatch notify log`.
    pub fn attention_log(&self, limit: usize) -> Result<Vec<AttentionRow>> {
        self.rows(
            &format!("{SELECT_ATTENTION} ORDER BY id DESC LIMIT ?1"),
            [limit as i64],
            attention_from_sql,
        )
    }

    /// Did the session go on after event `after_id` (a tool call, a new
    /// prompt, another Stop)? Then the Stop did not end the person's wait.
    pub fn session_went_on(&self, session: &str, after_id: i64) -> Result<bool> {
        let e = sql_err(&self.path);
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM events WHERE session_id = ?1 AND id > ?2
                     AND event IN ('UserPromptSubmit', 'PreToolUse', 'PostToolUse',
                                   'PostToolUseFailure', 'Stop', 'StopFailure'))",
                params![session, after_id],
                |r| r.get(0),
            )
            .map_err(&e)
    }

    /// What the turn ending at event `stop_id` did. `prompt_id`: the
    /// Stop's; earlier Stops with the same one ended the same turn (several
    /// Stop hooks, or one that made Claude go on) and do not start it.
    pub fn turn_facts(
        &self,
        session: &str,
        stop_id: i64,
        prompt_id: Option<&str>,
    ) -> Result<TurnFacts> {
        let e = sql_err(&self.path);
        // The turn starts at its prompt; without one (UserPromptSubmit not
        // hooked), after the previous Stop of the main agent.
        let prompt: Option<(i64, i64)> = self
            .conn
            .query_row(
                "SELECT id, time_us FROM events WHERE session_id = ?1 AND id < ?2
                     AND event = 'UserPromptSubmit' ORDER BY id DESC LIMIT 1",
                params![session, stop_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(&e)?;
        let previous_stop: i64 = self
            .conn
            .query_row(
                "SELECT coalesce(max(id), 0) FROM events WHERE session_id = ?1 AND id < ?2
                     AND event IN ('Stop', 'StopFailure') AND agent_id IS NULL
                     AND (?3 IS NULL OR json_extract(payload, '$.prompt_id') IS NOT ?3)",
                params![session, stop_id, prompt_id],
                |r| r.get(0),
            )
            .map_err(&e)?;
        let (from_id, start_us) = match prompt {
            Some((id, t)) if id > previous_stop => (id, Some(t)),
            _ => {
                let first: Option<(i64, i64)> = self
                    .conn
                    .query_row(
                        "SELECT id, time_us FROM events WHERE session_id = ?1 AND id > ?2
                             AND id < ?3 AND event NOT IN ('SessionStart', 'Notification', 'HookRun')
                             ORDER BY id LIMIT 1",
                        params![session, previous_stop, stop_id],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()
                    .map_err(&e)?;
                match first {
                    Some((id, t)) => (id, Some(t)),
                    None => (stop_id, None),
                }
            }
        };
        let (tool_calls, failures, files_written): (i64, i64, i64) = self
            .conn
            .query_row(
                "SELECT
                     count(*) FILTER (WHERE event IN ('PostToolUse', 'PostToolUseFailure')),
                     count(*) FILTER (WHERE event = 'PostToolUseFailure'
                                          AND coalesce(is_interrupt, 0) = 0),
                     count(DISTINCT CASE WHEN event = 'PostToolUse'
                                          AND tool_name IN ('Write', 'Edit', 'MultiEdit', 'NotebookEdit')
                         THEN coalesce(json_extract(payload, '$.tool_input.file_path'),
                                       json_extract(payload, '$.tool_input.notebook_path')) END)
                 FROM events WHERE session_id = ?1 AND id >= ?2 AND id < ?3",
                params![session, from_id, stop_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .map_err(&e)?;
        Ok(TurnFacts {
            start_us,
            tool_calls: tool_calls as u64,
            files_written: files_written as u64,
            failures: failures as u64,
        })
    }

    /// The prompt that opened the session (scrubbed), for its name.
    pub fn first_prompt(&self, session: &str) -> Result<Option<String>> {
        let e = sql_err(&self.path);
        self.conn
            .query_row(
                "SELECT json_extract(payload, '$.prompt') FROM events
                 WHERE session_id = ?1 AND event = 'UserPromptSubmit' ORDER BY id LIMIT 1",
                [session],
                |r| r.get(0),
            )
            .optional()
            .map(Option::flatten)
            .map_err(&e)
    }

    /// Was an alert for this event routed to `target`? The "failed" kind
    /// then leaves it to the alert (one message, not two).
    pub fn alerted_to(&self, event_id: i64, target: &str) -> Result<bool> {
        let e = sql_err(&self.path);
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM alerts WHERE event_id = ?1 AND target = ?2
                     AND state IN ('pending', 'notified'))",
                params![event_id, target],
                |r| r.get(0),
            )
            .map_err(&e)
    }
}
