//! Sessions, a session's timeline, a fingerprint across sessions, one
//! event, search, and the alert, silence and recovery lists.

use crate::filter::{Filter, EVENTS};
use crate::{Result, View, ViewError};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, OptionalExtension};
use serde::Serialize;
use serde_json::Value as Json;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SessionRow {
    pub session_id: String,
    pub project: Option<String>,
    pub first_us: i64,
    pub last_us: i64,
    pub events: i64,
    pub tool_calls: i64,
    pub failures: i64,
    pub stop_failures: i64,
    pub guard_blocks: i64,
}

/// One event of a session's timeline, with what hookwatch made of it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TimelineItem {
    pub id: i64,
    pub time_us: i64,
    pub event: String,
    pub tool_name: Option<String>,
    pub tool_use_id: Option<String>,
    pub agent_id: Option<String>,
    /// The command, file path, URL or pattern of a tool call.
    pub summary: Option<String>,
    pub duration_ms: Option<i64>,
    pub error: Option<String>,
    pub class: Option<String>,
    pub fingerprint: Option<String>,
    pub expected: Option<bool>,
    /// Advice rule ids given to the agent.
    pub advice: Vec<String>,
    pub guard_decision: Option<String>,
    pub guard_policy: Option<String>,
    pub guard_reason: Option<String>,
    /// StopFailure: the message Claude Code showed.
    pub message: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Timeline {
    pub session: Option<SessionRow>,
    pub items: Vec<TimelineItem>,
    /// Items left out past the cap (the oldest are shown).
    pub more: i64,
    /// Recovery jobs of the session: state, kind, attempt, outcome.
    pub recovery: Vec<JobItem>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct JobItem {
    pub id: i64,
    pub session: String,
    pub event_id: i64,
    pub project: Option<String>,
    pub error_type: String,
    pub kind: String,
    pub state: String,
    pub attempt: i64,
    pub created_us: i64,
    pub due_us: Option<i64>,
    pub wait: Option<String>,
    pub finished_us: Option<i64>,
    pub outcome: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FingerprintPage {
    pub fingerprint: String,
    pub tool: Option<String>,
    pub class: Option<String>,
    pub command_head: Option<String>,
    pub first_us: i64,
    pub last_us: i64,
    pub count: i64,
    pub sessions: i64,
    pub projects: Vec<(String, i64)>,
    /// Failures per day, `(day start, count)`, oldest first.
    pub per_day: Vec<(i64, i64)>,
    /// The newest failures (scrubbed error text).
    pub samples: Vec<TimelineItem>,
    /// The classifying rule and advice of the newest failure.
    pub rule: Option<String>,
    pub advice: Vec<String>,
    /// Alerts routed for this fingerprint: state, target, routed time.
    pub alerts: Vec<AlertItem>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AlertItem {
    pub id: i64,
    pub event_id: i64,
    pub routed_us: i64,
    pub route: String,
    pub target: String,
    pub fingerprint: String,
    pub state: String,
    pub reason: Option<String>,
    pub notification_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NotificationItem {
    pub id: i64,
    pub target: String,
    pub kind: String,
    pub state: String,
    pub attempts: i64,
    pub created_us: i64,
    pub sent_us: Option<i64>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    /// The notification's title (from its body).
    pub title: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SilenceItem {
    pub id: i64,
    pub matchers: Vec<String>,
    pub starts_us: i64,
    pub ends_us: i64,
    pub created_by: String,
    pub comment: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EventPage {
    pub item: TimelineItem,
    pub session_id: Option<String>,
    pub project: Option<String>,
    pub cwd: Option<String>,
    /// The scrubbed event as stored (pretty JSON), or the scrubbed bytes of
    /// an unparseable one.
    pub payload: String,
    pub parse_error: Option<String>,
    pub truncated: bool,
    pub original_size: i64,
    /// What hookwatch concluded and answered (JSON).
    pub outcome: Option<Json>,
    pub alerts: Vec<AlertItem>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SearchHit {
    pub item: TimelineItem,
    pub session_id: Option<String>,
    pub project: Option<String>,
}

const ITEM_COLUMNS: &str = "id, time_us, event, tool_name, tool_use_id, agent_id,
    coalesce(json_extract(payload, '$.tool_input.command'), json_extract(payload, '$.tool_input.file_path'),
             json_extract(payload, '$.tool_input.url'), json_extract(payload, '$.tool_input.pattern'),
             json_extract(payload, '$.tool_input.query'), json_extract(payload, '$.prompt')),
    duration_ms, error, class, fingerprint, expected, outcome,
    CASE WHEN event IN ('StopFailure', 'Notification')
         THEN coalesce(json_extract(payload, '$.last_assistant_message'), json_extract(payload, '$.message')) END,
    guard_decision";

fn item(r: &rusqlite::Row<'_>) -> rusqlite::Result<TimelineItem> {
    let outcome: Option<String> = r.get(12)?;
    let outcome: Option<Json> = outcome.and_then(|o| serde_json::from_str(&o).ok());
    let at = |p: &str| {
        outcome
            .as_ref()
            .and_then(|o| o.pointer(p))
            .and_then(Json::as_str)
            .map(str::to_string)
    };
    let advice = outcome
        .as_ref()
        .and_then(|o| o.pointer("/failure/advice"))
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    Ok(TimelineItem {
        id: r.get(0)?,
        time_us: r.get(1)?,
        event: r.get(2)?,
        tool_name: r.get(3)?,
        tool_use_id: r.get(4)?,
        agent_id: r.get(5)?,
        summary: text_of(r, 6)?,
        duration_ms: r.get(7)?,
        error: r.get(8)?,
        class: r.get(9)?,
        fingerprint: r.get(10)?,
        expected: r.get(11)?,
        advice,
        guard_policy: at("/guard/policy"),
        guard_reason: at("/guard/reason"),
        message: text_of(r, 13)?,
        guard_decision: r.get(14)?,
    })
}

/// A JSON value extracted by SQLite: text as is, anything else as JSON.
fn text_of(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<String>> {
    use rusqlite::types::ValueRef;
    Ok(match r.get_ref(i)? {
        ValueRef::Null => None,
        ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Integer(n) => Some(n.to_string()),
        ValueRef::Real(x) => Some(x.to_string()),
        ValueRef::Blob(b) => Some(String::from_utf8_lossy(b).into_owned()),
    })
}

fn session_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SessionRow> {
    Ok(SessionRow {
        session_id: r.get(0)?,
        project: r.get(1)?,
        first_us: r.get(2)?,
        last_us: r.get(3)?,
        events: r.get(4)?,
        tool_calls: r.get(5)?,
        failures: r.get(6)?,
        stop_failures: r.get(7)?,
        guard_blocks: r.get(8)?,
    })
}

fn alert_item(r: &rusqlite::Row<'_>) -> rusqlite::Result<AlertItem> {
    Ok(AlertItem {
        id: r.get(0)?,
        event_id: r.get(1)?,
        routed_us: r.get(2)?,
        route: r.get(3)?,
        target: r.get(4)?,
        fingerprint: r.get(5)?,
        state: r.get(6)?,
        reason: r.get(7)?,
        notification_id: r.get(8)?,
    })
}

fn job_item(r: &rusqlite::Row<'_>) -> rusqlite::Result<JobItem> {
    Ok(JobItem {
        id: r.get(0)?,
        session: r.get(1)?,
        event_id: r.get(2)?,
        project: r.get(3)?,
        error_type: r.get(4)?,
        kind: r.get(5)?,
        state: r.get(6)?,
        attempt: r.get(7)?,
        created_us: r.get(8)?,
        due_us: r.get(9)?,
        wait: r.get(10)?,
        finished_us: r.get(11)?,
        outcome: r.get(12)?,
    })
}

const ALERT_COLUMNS: &str =
    "id, event_id, routed_us, route, target, fingerprint, state, reason, notification_id";
const JOB_COLUMNS: &str = "id, session, event_id, project, error_type, kind, state, attempt,
    created_us, due_us, wait, finished_us, outcome";

/// `AND …` keeping the sessions of `session_summary s` that had an event of
/// the filter's tool and class (none without either). One probe per session
/// of the partial indexes on (session_id, tool_name) and (session_id, class)
/// of migration 0009; without them SQLite walked every event of the tool
/// for each session (49 s for the last day's sessions with Bash calls on a
/// million events, BENCHMARKS.md).
pub(crate) fn session_has(f: &Filter, a: &mut Vec<Value>) -> String {
    if f.tool.is_none() && f.class.is_none() {
        return String::new();
    }
    let mut sql =
        String::from(" AND EXISTS (SELECT 1 FROM events e WHERE e.session_id = s.session_id");
    if let Some(t) = &f.tool {
        a.push(t.clone().into());
        sql.push_str(&format!(" AND e.tool_name = ?{}", a.len()));
    }
    if let Some(c) = &f.class {
        a.push(c.clone().into());
        sql.push_str(&format!(" AND e.class = ?{}", a.len()));
    }
    sql.push(')');
    sql
}

/// Most events a timeline shows; a session of a long unattended run can
/// have tens of thousands.
pub const TIMELINE_CAP: i64 = 2000;

impl View {
    /// Sessions active in the range, newest first.
    pub fn sessions(
        &self,
        f: &Filter,
        now_us: i64,
        limit: usize,
        offset: usize,
    ) -> Result<Vec<SessionRow>> {
        let (from, to) = f.range.bounds(now_us);
        let mut sql = String::from(
            "SELECT session_id, project, first_us, last_us, events, tool_calls, failures,
                    stop_failures, guard_blocks
             FROM session_summary s WHERE s.last_us >= ?1 AND s.first_us < ?2",
        );
        let mut a: Vec<Value> = vec![from.into(), to.into()];
        if let Some(p) = &f.project {
            a.push(p.clone().into());
            sql.push_str(&format!(" AND s.project = ?{}", a.len()));
        }
        if let Some(s) = &f.session {
            a.push(s.clone().into());
            sql.push_str(&format!(" AND s.session_id = ?{}", a.len()));
        }
        sql.push_str(&session_has(f, &mut a));
        sql.push_str(&format!(
            " ORDER BY s.last_us DESC LIMIT {limit} OFFSET {offset}"
        ));
        self.rows(&sql, params_from_iter(&a), session_row)
    }

    /// Every event of one session in order (up to [`TIMELINE_CAP`]).
    pub fn timeline(&self, session: &str) -> Result<Timeline> {
        let summary = self
            .conn
            .query_row(
                "SELECT session_id, project, first_us, last_us, events, tool_calls, failures,
                        stop_failures, guard_blocks FROM session_summary WHERE session_id = ?1",
                [session],
                session_row,
            )
            .optional()
            .map_err(self.err())?;
        let items = self.rows(
            &format!(
                "SELECT {ITEM_COLUMNS} FROM events WHERE session_id = ?1
                 ORDER BY time_us, id LIMIT {TIMELINE_CAP}"
            ),
            [session],
            item,
        )?;
        let total = summary.as_ref().map_or(items.len() as i64, |s| s.events);
        let recovery = self.rows(
            &format!("SELECT {JOB_COLUMNS} FROM recover_jobs WHERE session = ?1 ORDER BY id"),
            [session],
            job_item,
        )?;
        Ok(Timeline {
            session: summary,
            more: (total - items.len() as i64).max(0),
            items,
            recovery,
        })
    }

    /// One failure fingerprint across sessions and projects.
    pub fn fingerprint(&self, fingerprint: &str) -> Result<Option<FingerprintPage>> {
        let head = self
            .conn
            .query_row(
                "SELECT min(time_us), max(time_us), count(*), count(DISTINCT session_id),
                        max(tool_name), max(class), max(id)
                 FROM events WHERE fingerprint = ?1",
                [fingerprint],
                |r| {
                    Ok((
                        r.get::<_, Option<i64>>(0)?,
                        r.get::<_, Option<i64>>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, Option<String>>(5)?,
                        r.get::<_, Option<i64>>(6)?,
                    ))
                },
            )
            .map_err(self.err())?;
        let (Some(first_us), Some(last_us), count, sessions, tool, class, Some(last_id)) = head
        else {
            return Ok(None);
        };
        let projects = self.rows(
            "SELECT coalesce(project, ''), count(*) FROM events WHERE fingerprint = ?1
             GROUP BY 1 ORDER BY 2 DESC LIMIT 20",
            [fingerprint],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let per_day = self.rows(
            "SELECT day_us, sum(n) FROM rollup_fingerprint_day WHERE fingerprint = ?1
             GROUP BY 1 ORDER BY 1",
            [fingerprint],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let samples = self.rows(
            &format!(
                "SELECT {ITEM_COLUMNS} FROM events WHERE fingerprint = ?1
                 ORDER BY time_us DESC LIMIT 10"
            ),
            [fingerprint],
            item,
        )?;
        let (command_head, outcome): (Option<String>, Option<String>) = self
            .conn
            .query_row(
                "SELECT command_head, outcome FROM events WHERE id = ?1",
                [last_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(self.err())?;
        let outcome: Option<Json> = outcome.and_then(|o| serde_json::from_str(&o).ok());
        let rule = outcome
            .as_ref()
            .and_then(|o| o.pointer("/failure/rule"))
            .and_then(Json::as_str)
            .map(str::to_string);
        let alerts = self.rows(
            &format!(
                "SELECT {ALERT_COLUMNS} FROM alerts WHERE fingerprint = ?1 ORDER BY id DESC LIMIT 50"
            ),
            [fingerprint],
            alert_item,
        )?;
        Ok(Some(FingerprintPage {
            fingerprint: fingerprint.to_string(),
            tool,
            class,
            command_head,
            first_us,
            last_us,
            count,
            sessions,
            projects,
            per_day,
            advice: samples
                .first()
                .map(|s| s.advice.clone())
                .unwrap_or_default(),
            samples,
            rule,
            alerts,
        }))
    }

    pub fn event(&self, id: i64) -> Result<Option<EventPage>> {
        let row = self
            .conn
            .query_row(
                &format!(
                    "SELECT {ITEM_COLUMNS}, session_id, project, cwd, payload, raw, parse_error,
                            truncated, original_size
                     FROM events WHERE id = ?1"
                ),
                [id],
                |r| {
                    let payload: Option<String> = r.get(18)?;
                    let raw: Option<Vec<u8>> = r.get(19)?;
                    let outcome: Option<String> = r.get(12)?;
                    Ok((
                        item(r)?,
                        r.get::<_, Option<String>>(15)?,
                        r.get::<_, Option<String>>(16)?,
                        r.get::<_, Option<String>>(17)?,
                        payload,
                        raw,
                        r.get::<_, Option<String>>(20)?,
                        r.get::<_, bool>(21)?,
                        r.get::<_, i64>(22)?,
                        outcome,
                    ))
                },
            )
            .optional()
            .map_err(self.err())?;
        let Some((
            item,
            session_id,
            project,
            cwd,
            payload,
            raw,
            parse_error,
            truncated,
            size,
            outcome,
        )) = row
        else {
            return Ok(None);
        };
        let payload = match (payload, raw) {
            (Some(p), _) => serde_json::from_str::<Json>(&p)
                .ok()
                .and_then(|v| serde_json::to_string_pretty(&v).ok())
                .unwrap_or(p),
            (None, Some(raw)) => String::from_utf8_lossy(&raw).into_owned(),
            (None, None) => String::new(),
        };
        let alerts = self.rows(
            &format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE event_id = ?1 ORDER BY id"),
            [id],
            alert_item,
        )?;
        Ok(Some(EventPage {
            item,
            session_id,
            project,
            cwd,
            payload,
            parse_error,
            truncated,
            original_size: size,
            outcome: outcome.and_then(|o| serde_json::from_str(&o).ok()),
            alerts,
        }))
    }

    /// The newest failures in the range, tool failures and StopFailures
    /// alike, newest first: what a live view lists as they happen.
    pub fn recent_failures(&self, f: &Filter, now_us: i64, limit: usize) -> Result<Vec<SearchHit>> {
        let (w, a) = f.clauses(&EVENTS, now_us);
        self.rows(
            &format!(
                "SELECT {ITEM_COLUMNS}, session_id, project FROM events
                 WHERE event IN ('PostToolUseFailure', 'StopFailure'){w}
                 ORDER BY time_us DESC, id DESC LIMIT {limit}"
            ),
            params_from_iter(&a),
            |r| {
                Ok(SearchHit {
                    item: item(r)?,
                    session_id: r.get(15)?,
                    project: r.get(16)?,
                })
            },
        )
    }

    /// Full-text search over scrubbed commands and error texts, newest
    /// first. Words are matched as prefixes (`npm ERR` finds `npm ERR!`).
    pub fn search(
        &self,
        query: &str,
        f: &Filter,
        now_us: i64,
        limit: usize,
    ) -> Result<Vec<SearchHit>> {
        let Some(q) = fts_query(query) else {
            return Ok(Vec::new());
        };
        let (w, filter_args) = f.clauses_after(&EVENTS, now_us, 1);
        let mut a: Vec<Value> = vec![q.into()];
        a.extend(filter_args);
        let sql = format!(
            "SELECT {ITEM_COLUMNS}, session_id, project FROM events
             WHERE id IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?1){w}
             ORDER BY id DESC LIMIT {limit}"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(self.err())?;
        let hits = stmt
            .query_map(params_from_iter(&a), |r| {
                Ok(SearchHit {
                    item: item(r)?,
                    session_id: r.get(15)?,
                    project: r.get(16)?,
                })
            })
            .map_err(|e| ViewError::Search(e.to_string()))?
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| ViewError::Search(e.to_string()))?;
        Ok(hits)
    }

    /// Routed alerts, newest first.
    pub fn alerts(&self, state: Option<&str>, limit: usize) -> Result<Vec<AlertItem>> {
        self.rows(
            &format!(
                "SELECT {ALERT_COLUMNS} FROM alerts WHERE ?1 IS NULL OR state = ?1
                 ORDER BY id DESC LIMIT {limit}"
            ),
            [state],
            alert_item,
        )
    }

    /// Notifications in the outbox, newest first.
    pub fn notifications(
        &self,
        state: Option<&str>,
        limit: usize,
    ) -> Result<Vec<NotificationItem>> {
        self.rows(
            &format!(
                "SELECT id, target, kind, state, attempts, created_us, sent_us, last_status,
                        last_error, coalesce(json_extract(body, '$.title'), json_extract(body, '$.summary'), kind)
                 FROM notifications WHERE ?1 IS NULL OR state = ?1
                 ORDER BY id DESC LIMIT {limit}"
            ),
            [state],
            |r| {
                Ok(NotificationItem {
                    id: r.get(0)?,
                    target: r.get(1)?,
                    kind: r.get(2)?,
                    state: r.get(3)?,
                    attempts: r.get(4)?,
                    created_us: r.get(5)?,
                    sent_us: r.get(6)?,
                    last_status: r.get(7)?,
                    last_error: r.get(8)?,
                    title: text_of(r, 9)?.unwrap_or_default(),
                })
            },
        )
    }

    /// Silences that have not ended at `now_us` (all with `None`).
    pub fn silences(&self, now_us: Option<i64>) -> Result<Vec<SilenceItem>> {
        self.rows(
            "SELECT id, matchers, starts_us, ends_us, created_by, comment FROM silences
             WHERE ?1 IS NULL OR ends_us > ?1 ORDER BY id DESC LIMIT 500",
            [now_us],
            |r| {
                let m: String = r.get(1)?;
                Ok(SilenceItem {
                    id: r.get(0)?,
                    matchers: serde_json::from_str(&m).unwrap_or_default(),
                    starts_us: r.get(2)?,
                    ends_us: r.get(3)?,
                    created_by: r.get(4)?,
                    comment: r.get(5)?,
                })
            },
        )
    }

    /// Recovery jobs, newest first.
    pub fn jobs(&self, state: Option<&str>, limit: usize) -> Result<Vec<JobItem>> {
        self.rows(
            &format!(
                "SELECT {JOB_COLUMNS} FROM recover_jobs WHERE ?1 IS NULL OR state = ?1
                 ORDER BY id DESC LIMIT {limit}"
            ),
            params![state],
            job_item,
        )
    }
}

/// A user's words as an FTS5 query: each word quoted (no operators or
/// column filters from the text) and matched as a prefix.
fn fts_query(q: &str) -> Option<String> {
    let words: Vec<String> = q
        .split(|c: char| c.is_whitespace())
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric() || "_-./".contains(*c))
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .take(16)
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

#[cfg(test)]
#[test]
fn search_words_cannot_inject_fts_syntax() {
    assert_eq!(fts_query("npm ERR!").unwrap(), "\"npm\"* \"ERR\"*");
    assert_eq!(
        fts_query("a\" OR text:b").unwrap(),
        "\"a\"* \"OR\"* \"textb\"*"
    );
    assert_eq!(fts_query("  ;;; "), None);
}
