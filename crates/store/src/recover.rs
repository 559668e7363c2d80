//! Recovery jobs: the decision about each StopFailure and the resume it
//! scheduled. Decisions are made by the caller (crates/hookwatch/src/recover);
//! this module keeps them exactly once and consistent under concurrency (one
//! active job per session is a unique index, not a read-then-write).

use crate::{row_from_sql, sql_err, EventRow, Result, Store, SELECT_ROW};
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use serde::Serialize;

#[derive(Debug, Clone, Default)]
pub struct NewJob {
    pub session: String,
    pub event_id: i64,
    pub failure_us: i64,
    pub project: Option<String>,
    pub cwd: Option<String>,
    pub error_type: String,
    pub kind: String,
    pub state: String,
    pub attempt: i64,
    pub due_us: Option<i64>,
    pub wait: Option<String>,
    pub outcome: Option<String>,
    /// A running job whose resumed run failed again: closed as failed in
    /// the same transaction, so this one can become the session's active job.
    pub supersedes: Option<i64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct JobRow {
    pub id: i64,
    pub session: String,
    pub event_id: i64,
    pub failure_us: i64,
    pub project: Option<String>,
    pub cwd: Option<String>,
    pub error_type: String,
    pub kind: String,
    pub state: String,
    pub attempt: i64,
    pub created_us: i64,
    pub due_us: Option<i64>,
    pub wait: Option<String>,
    pub started_us: Option<i64>,
    pub finished_us: Option<i64>,
    pub runner_pid: Option<i64>,
    pub exit_code: Option<i64>,
    pub outcome: Option<String>,
    pub log_path: Option<String>,
}

const SELECT_JOB: &str = "SELECT id, session, event_id, failure_us, project, cwd, error_type, kind,
    state, attempt, created_us, due_us, wait, started_us, finished_us, runner_pid, exit_code,
    outcome, log_path FROM recover_jobs";

fn job_from_sql(r: &rusqlite::Row<'_>) -> rusqlite::Result<JobRow> {
    Ok(JobRow {
        id: r.get(0)?,
        session: r.get(1)?,
        event_id: r.get(2)?,
        failure_us: r.get(3)?,
        project: r.get(4)?,
        cwd: r.get(5)?,
        error_type: r.get(6)?,
        kind: r.get(7)?,
        state: r.get(8)?,
        attempt: r.get(9)?,
        created_us: r.get(10)?,
        due_us: r.get(11)?,
        wait: r.get(12)?,
        started_us: r.get(13)?,
        finished_us: r.get(14)?,
        runner_pid: r.get(15)?,
        exit_code: r.get(16)?,
        outcome: r.get(17)?,
        log_path: r.get(18)?,
    })
}

impl Store {
    /// StopFailures not yet looked at, oldest first, with the cursor range
    /// they cover: (from, to, rows). `to` covers every event up to the
    /// newest one read in the same snapshot.
    pub fn unseen_stop_failures(&mut self, limit: usize) -> Result<(i64, i64, Vec<EventRow>)> {
        let e = sql_err(&self.path);
        let tx = self.conn.transaction().map_err(&e)?;
        let from: i64 = tx
            .query_row("SELECT last_event_id FROM recover_cursor", [], |r| r.get(0))
            .map_err(&e)?;
        let newest: i64 = tx
            .query_row("SELECT coalesce(max(id), 0) FROM events", [], |r| r.get(0))
            .map_err(&e)?;
        let rows = {
            let mut stmt = tx
                .prepare(&format!(
                    "{SELECT_ROW} WHERE id > ?1 AND id <= ?2 AND event = 'StopFailure' ORDER BY id LIMIT ?3"
                ))
                .map_err(&e)?;
            let rows = stmt
                .query_map(params![from, newest, limit as i64], row_from_sql)
                .map_err(&e)?
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(&e)?;
            rows
        };
        tx.commit().map_err(&e)?;
        // A full page may stop short of `newest`: move only past what was read.
        let to = if rows.len() == limit {
            rows.last().map(|r| r.id).unwrap_or(newest)
        } else {
            newest
        };
        Ok((from, to, rows))
    }

    /// Record decisions and move the cursor, in one transaction. A job that
    /// would be a second active one for its session is dropped (the unique
    /// index): two StopFailures close together give one resume. Returns the
    /// ids of the scheduled jobs inserted. Ok(None): another worker moved the
    /// cursor first; nothing written.
    pub fn commit_recover_pass(
        &mut self,
        from: i64,
        to: i64,
        jobs: &[NewJob],
        now_us: i64,
    ) -> Result<Option<Vec<i64>>> {
        let e = sql_err(&self.path);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&e)?;
        let moved = tx
            .execute(
                "UPDATE recover_cursor SET last_event_id = ?2 WHERE last_event_id = ?1",
                params![from, to],
            )
            .map_err(&e)?;
        if moved == 0 {
            return Ok(None);
        }
        let mut scheduled = Vec::new();
        for j in jobs {
            if let Some(old) = j.supersedes {
                tx.execute(
                    "UPDATE recover_jobs SET state = 'failed', finished_us = ?2,
                         outcome = 'the resumed run ended on ' || ?3 || ' again'
                     WHERE id = ?1 AND state = 'running'",
                    params![old, now_us, j.error_type],
                )
                .map_err(&e)?;
            }
            let n = tx
                .execute(
                    "INSERT OR IGNORE INTO recover_jobs (session, event_id, failure_us, project, cwd,
                     error_type, kind, state, attempt, created_us, due_us, wait, outcome)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                    params![
                        j.session, j.event_id, j.failure_us, j.project, j.cwd, j.error_type, j.kind,
                        j.state, j.attempt, now_us, j.due_us, j.wait, j.outcome
                    ],
                )
                .map_err(&e)?;
            if n > 0 && j.state == "scheduled" {
                scheduled.push(tx.last_insert_rowid());
            }
        }
        tx.commit().map_err(&e)?;
        Ok(Some(scheduled))
    }

    /// Record a decision outside a worker pass (`hookwatch run` supervising
    /// in the foreground). Ok(None): the session already has an active job.
    pub fn insert_job(&mut self, j: &NewJob, now_us: i64) -> Result<Option<i64>> {
        let n = self
            .conn
            .execute(
                "INSERT OR IGNORE INTO recover_jobs (session, event_id, failure_us, project, cwd,
                 error_type, kind, state, attempt, created_us, due_us, wait, outcome, started_us,
                 runner_pid)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,
                         CASE WHEN ?8 = 'running' THEN ?10 END, ?14)",
                params![
                    j.session,
                    j.event_id,
                    j.failure_us,
                    j.project,
                    j.cwd,
                    j.error_type,
                    j.kind,
                    j.state,
                    j.attempt,
                    now_us,
                    j.due_us,
                    j.wait,
                    j.outcome,
                    std::process::id() as i64
                ],
            )
            .map_err(sql_err(&self.path))?;
        Ok((n > 0).then(|| self.conn.last_insert_rowid()))
    }

    /// Resumes of `session` started or waiting (what its cap counts).
    pub fn resume_attempts(&self, session: &str) -> Result<i64> {
        self.conn
            .query_row(
                "SELECT count(*) FROM recover_jobs WHERE session = ?1
                 AND state IN ('scheduled', 'running', 'succeeded', 'failed')",
                [session],
                |r| r.get(0),
            )
            .map_err(sql_err(&self.path))
    }

    /// Resumes created on this machine since `since_us` (the daily cap).
    pub fn resumes_since(&self, since_us: i64) -> Result<i64> {
        self.conn
            .query_row(
                "SELECT count(*) FROM recover_jobs WHERE created_us >= ?1
                 AND state IN ('scheduled', 'running', 'succeeded', 'failed')",
                [since_us],
                |r| r.get(0),
            )
            .map_err(sql_err(&self.path))
    }

    pub fn has_gave_up(&self, session: &str) -> Result<bool> {
        self.conn
            .query_row(
                "SELECT count(*) FROM recover_jobs WHERE session = ?1 AND state = 'gave_up'",
                [session],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n > 0)
            .map_err(sql_err(&self.path))
    }

    /// The active job of a session, if any.
    pub fn active_job(&self, session: &str) -> Result<Option<JobRow>> {
        self.conn
            .query_row(
                &format!("{SELECT_JOB} WHERE session = ?1 AND state IN ('scheduled', 'running')"),
                [session],
                job_from_sql,
            )
            .optional()
            .map_err(sql_err(&self.path))
    }

    pub fn job(&self, id: i64) -> Result<Option<JobRow>> {
        self.conn
            .query_row(&format!("{SELECT_JOB} WHERE id = ?1"), [id], job_from_sql)
            .optional()
            .map_err(sql_err(&self.path))
    }

    /// Jobs, newest last; `state` filters.
    pub fn jobs(&self, state: Option<&str>, limit: usize) -> Result<Vec<JobRow>> {
        let mut rows = match state {
            Some(s) => self.rows(
                &format!("{SELECT_JOB} WHERE state = ?1 ORDER BY id DESC LIMIT ?2"),
                params![s, limit as i64],
                job_from_sql,
            )?,
            None => self.rows(
                &format!("{SELECT_JOB} ORDER BY id DESC LIMIT ?1"),
                [limit as i64],
                job_from_sql,
            )?,
        };
        rows.reverse();
        Ok(rows)
    }

    /// Scheduled jobs due by `now_us` (the runner may have died).
    pub fn due_jobs(&self, now_us: i64) -> Result<Vec<JobRow>> {
        self.rows(
            &format!("{SELECT_JOB} WHERE state = 'scheduled' AND due_us <= ?1 ORDER BY due_us"),
            [now_us],
            job_from_sql,
        )
    }

    pub fn set_runner(&mut self, id: i64, pid: i64) -> Result<()> {
        self.conn
            .execute(
                "UPDATE recover_jobs SET runner_pid = ?2 WHERE id = ?1",
                params![id, pid],
            )
            .map(|_| ())
            .map_err(sql_err(&self.path))
    }

    /// scheduled → running, by exactly one runner. Ok(false): someone else
    /// took it, or it was cancelled.
    pub fn start_job(&mut self, id: i64, now_us: i64, pid: i64, log_path: &str) -> Result<bool> {
        self.conn
            .execute(
                "UPDATE recover_jobs SET state = 'running', started_us = ?2, runner_pid = ?3,
                     log_path = ?4 WHERE id = ?1 AND state = 'scheduled'",
                params![id, now_us, pid, log_path],
            )
            .map(|n| n > 0)
            .map_err(sql_err(&self.path))
    }

    /// End a job in `state` (succeeded, failed, skipped, cancelled) from
    /// one of `from`. Ok(false): it was not in one of those states.
    pub fn finish_job(
        &mut self,
        id: i64,
        from: &[&str],
        state: &str,
        exit_code: Option<i64>,
        outcome: &str,
        now_us: i64,
    ) -> Result<bool> {
        let list = from
            .iter()
            .map(|s| format!("'{s}'"))
            .collect::<Vec<_>>()
            .join(",");
        self.conn
            .execute(
                &format!(
                    "UPDATE recover_jobs SET state = ?2, exit_code = ?3, outcome = ?4, finished_us = ?5
                     WHERE id = ?1 AND state IN ({list})"
                ),
                params![id, state, exit_code, outcome, now_us],
            )
            .map(|n| n > 0)
            .map_err(sql_err(&self.path))
    }

    /// Make a scheduled job due now (`hookwatch recover run-now`).
    pub fn job_due_now(&mut self, id: i64, now_us: i64, why: &str) -> Result<bool> {
        self.conn
            .execute(
                "UPDATE recover_jobs SET due_us = ?2, wait = coalesce(wait, '') || ' (' || ?3 || ')'
                 WHERE id = ?1 AND state = 'scheduled'",
                params![id, now_us, why],
            )
            .map(|n| n > 0)
            .map_err(sql_err(&self.path))
    }

    /// Events of `session` after `after_us` other than `ignore` (did a person
    /// or another run continue the session?).
    pub fn session_activity(
        &self,
        session: &str,
        after_us: i64,
        ignore: &[&str],
    ) -> Result<Vec<EventRow>> {
        let marks = ignore
            .iter()
            .map(|s| format!("'{s}'"))
            .collect::<Vec<_>>()
            .join(",");
        self.rows(
            &format!(
                "{SELECT_ROW} WHERE session_id = ?1 AND time_us > ?2 AND event NOT IN ({marks}) ORDER BY id LIMIT 20"
            ),
            params![session, after_us],
            row_from_sql,
        )
    }

    /// The newest `quota_auto_resume_*` Notification type Claude Code sent
    /// for `session` after `after_us`: its own auto-resume after a quota
    /// stop (fired, stale, disabled).
    pub fn claude_auto_resume(&self, session: &str, after_us: i64) -> Result<Option<String>> {
        let e = sql_err(&self.path);
        self.conn
            .query_row(
                "SELECT json_extract(payload, '$.notification_type') FROM events
                 WHERE session_id = ?1 AND time_us > ?2 AND event = 'Notification'
                   AND substr(json_extract(payload, '$.notification_type'), 1, 18) = 'quota_auto_resume_'
                 ORDER BY id DESC LIMIT 1",
                params![session, after_us],
                |r| r.get(0),
            )
            .optional()
            .map(Option::flatten)
            .map_err(&e)
    }

    /// The events of `session` up to `before_us`, newest first (diagnosis).
    pub fn session_events_before(
        &self,
        session: &str,
        before_us: i64,
        limit: usize,
    ) -> Result<Vec<EventRow>> {
        self.rows(
            &format!(
                "{SELECT_ROW} WHERE session_id = ?1 AND time_us <= ?2 ORDER BY id DESC LIMIT ?3"
            ),
            params![session, before_us, limit as i64],
            row_from_sql,
        )
    }

    /// StopFailures between two times, for one session or all.
    pub fn count_stop_failures(
        &self,
        session: Option<&str>,
        from_us: i64,
        to_us: i64,
    ) -> Result<i64> {
        let e = sql_err(&self.path);
        match session {
            Some(s) => self.conn.query_row(
                "SELECT count(*) FROM events WHERE event = 'StopFailure' AND session_id = ?1
                 AND time_us BETWEEN ?2 AND ?3",
                params![s, from_us, to_us],
                |r| r.get(0),
            ),
            None => self.conn.query_row(
                "SELECT count(*) FROM events WHERE event = 'StopFailure' AND time_us BETWEEN ?1 AND ?2",
                params![from_us, to_us],
                |r| r.get(0),
            ),
        }
        .map_err(e)
    }

    /// StopFailures recorded by a supervised run (`hookwatch run`): events
    /// whose hook saw HOOKWATCH_RUN = `run`.
    pub fn run_stop_failures(&self, run: &str) -> Result<Vec<EventRow>> {
        self.rows(
            &format!(
                "{SELECT_ROW} WHERE event = 'StopFailure' AND json_extract(outcome, '$.run') = ?1 ORDER BY id"
            ),
            [run],
            row_from_sql,
        )
    }

    /// Give StopFailures without a class one (`f`: row → (class, severity)),
    /// at most `limit` per call, so `events --class` and `stats` see them.
    pub fn classify_stop_failures(
        &mut self,
        f: &dyn Fn(&EventRow) -> (String, String),
        limit: usize,
    ) -> Result<usize> {
        let e = sql_err(&self.path);
        let rows = self.rows(
            &format!("{SELECT_ROW} WHERE event = 'StopFailure' AND class IS NULL LIMIT ?1"),
            [limit as i64],
            row_from_sql,
        )?;
        if rows.is_empty() {
            return Ok(0);
        }
        let tx = self.conn.transaction().map_err(&e)?;
        for r in &rows {
            let (class, severity) = f(r);
            tx.execute(
                "UPDATE events SET class = ?2, severity = ?3 WHERE id = ?1",
                params![r.id, class, severity],
            )
            .map_err(&e)?;
        }
        tx.commit().map_err(&e)?;
        Ok(rows.len())
    }

    /// Job counts per state since `since_us` (stats).
    pub fn job_counts(&self, since_us: i64) -> Result<Vec<(String, i64)>> {
        self.rows(
            "SELECT state, count(*) FROM recover_jobs WHERE created_us >= ?1 GROUP BY state ORDER BY state",
            [since_us],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }
}
