//! Durable storage of hook events.
//!
//! Two halves with one contract between them:
//! * [`spool`]: what the hook writes, one file per event, no locks and no
//!   SQLite on the hot path;
//! * [`Store`]: the SQLite database the spool is ingested into (exactly once)
//!   and that every query command reads.
//!
//! Callers hand this crate payloads that are already scrubbed; nothing here
//! ever sees a secret.

pub mod attention;
pub mod counter;
pub mod export;
pub mod outbox;
pub mod recover;
pub mod rescrub;
pub mod retention;
pub mod spool;

use hookwatch_event::Event;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::time::Duration;

const HOUR_US: i64 = 3_600_000_000;

/// Applied in order; never edit one that has landed, add the next.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_events.sql"),
    include_str!("../migrations/0002_recovered.sql"),
    include_str!("../migrations/0003_outcome.sql"),
    include_str!("../migrations/0004_mcp_server.sql"),
    include_str!("../migrations/0005_alerts.sql"),
    include_str!("../migrations/0006_recover.sql"),
    include_str!("../migrations/0007_rescrub.sql"),
    include_str!("../migrations/0008_views.sql"),
    include_str!("../migrations/0009_read_side.sql"),
    include_str!("../migrations/0010_attention.sql"),
    include_str!("../migrations/0011_otel.sql"),
];

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {path}: {source}")]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("database {path} was written by a newer hookwatch (schema {found}, this build knows {known}); upgrade hookwatch")]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
}

pub type Result<T> = std::result::Result<T, StoreError>;

pub struct Store {
    conn: Connection,
    path: PathBuf,
    classifier: Option<Box<Classifier>>,
}

/// Analyses a PostToolUseFailure the hook did not analyse (a record from
/// before failure analysis existed, or one rebuilt or rescued): `(event,
/// project)` to what the hook would have concluded.
pub type Classifier = dyn Fn(&Event, Option<&str>) -> Option<spool::FailureOutcome>;

/// What one ingest pass did.
#[derive(Debug, Default, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct IngestReport {
    /// Rows inserted.
    pub inserted: usize,
    /// Records already in the database (an earlier pass crashed before unlinking).
    pub duplicates: usize,
    /// Files that could not be read as spool records; left in place.
    pub unreadable: usize,
}

/// Filters of `hookwatch events`.
#[derive(Debug, Default, Clone)]
pub struct EventFilter {
    pub event: Option<String>,
    pub session: Option<String>,
    pub tool: Option<String>,
    pub fingerprint: Option<String>,
    pub class: Option<String>,
    /// Only events with a guard decision (any, or this one).
    pub guard: Option<String>,
    pub since_us: Option<i64>,
    /// Only events before this time (exclusive: `since` to `until` is a
    /// half-open range).
    pub until_us: Option<i64>,
    /// Only rows with a larger id (for `tail`).
    pub after_id: Option<i64>,
    /// The newest `limit` rows (still returned oldest first).
    pub limit: Option<usize>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EventRow {
    pub id: i64,
    pub time_us: i64,
    pub event: String,
    pub session_id: Option<String>,
    pub cwd: Option<String>,
    pub project: Option<String>,
    pub tool_name: Option<String>,
    pub tool_use_id: Option<String>,
    pub agent_id: Option<String>,
    pub error: Option<String>,
    pub is_interrupt: Option<bool>,
    pub duration_ms: Option<i64>,
    pub payload: Option<String>,
    pub raw: Option<Vec<u8>>,
    pub parse_error: Option<String>,
    pub original_size: i64,
    pub truncated: bool,
    pub hash: Option<String>,
    pub fingerprint: Option<String>,
    pub class: Option<String>,
    pub severity: Option<String>,
    pub expected: Option<bool>,
    pub command_head: Option<String>,
    pub mcp_server: Option<String>,
    pub guard_decision: Option<String>,
    /// What the hook concluded and answered (JSON), see [`spool::Outcome`].
    pub outcome: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Count {
    pub key: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ToolStat {
    pub tool: String,
    /// PostToolUse + PostToolUseFailure.
    pub calls: i64,
    pub failures: i64,
    pub interrupts: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Stats {
    pub events: i64,
    pub sessions: i64,
    pub per_event: Vec<Count>,
    pub per_tool: Vec<ToolStat>,
    /// PostToolUseFailure + StopFailure per project.
    pub failures_per_project: Vec<Count>,
    pub stop_failures: Vec<Count>,
    pub unparseable: i64,
    /// Per MCP server: calls, failures, interrupts (same shape as per tool).
    pub per_mcp_server: Vec<ToolStat>,
    /// Failures per class; `expected` failures counted apart.
    pub per_class: Vec<ClassStat>,
    pub top_fingerprints: Vec<FingerprintStat>,
    /// (session, fingerprint) pairs that failed at least `repeat_threshold` times.
    pub repeated: Vec<RepeatStat>,
    /// Guard decisions per decision and policy.
    pub guard: Vec<GuardStat>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ClassStat {
    pub class: String,
    pub failures: i64,
    pub expected: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FingerprintStat {
    pub fingerprint: String,
    pub tool: Option<String>,
    pub command_head: Option<String>,
    pub class: Option<String>,
    pub expected: bool,
    pub count: i64,
    pub sessions: i64,
    pub projects: i64,
    /// Newest event with this fingerprint (`hookwatch show ID`).
    pub last_id: i64,
    pub last_time_us: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RepeatStat {
    pub session_id: String,
    pub fingerprint: String,
    pub tool: Option<String>,
    pub command_head: Option<String>,
    pub count: i64,
    pub last_id: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GuardStat {
    pub decision: String,
    pub policy: String,
    pub count: i64,
}

pub(crate) fn sql_err(path: &Path) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |source| StoreError::Sqlite {
        path: path.to_path_buf(),
        source,
    }
}

impl Store {
    /// Open (creating if needed) the database at `path`.
    ///
    /// First-run initialisation (WAL mode, schema) runs under an exclusive
    /// lock on a side file: `PRAGMA journal_mode=WAL` raced by many new
    /// openers fails with "database is locked" without consulting the busy
    /// handler (hot-path-measurements.md §4).
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|source| StoreError::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let e = sql_err(path);
        let conn = Connection::open(path).map_err(&e)?;
        conn.busy_timeout(Duration::from_secs(5)).map_err(&e)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(&e)?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            classifier: None,
        };
        if store.user_version()? < MIGRATIONS.len() as i64 {
            store.migrate()?;
        }
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Set how failures without an outcome are analysed at ingestion.
    pub fn set_classifier(&mut self, f: Box<Classifier>) {
        self.classifier = Some(f);
    }

    /// Analyse stored failures that have no fingerprint yet (recorded before
    /// failure analysis existed), at most `limit` per call. Returns how many.
    pub fn backfill_failures(&mut self, limit: usize) -> Result<usize> {
        let Some(classify) = self.classifier.as_ref() else {
            return Ok(0);
        };
        let e = sql_err(&self.path);
        let rows: Vec<(i64, String, Option<String>)> = self.rows(
            "SELECT id, payload, project FROM events INDEXED BY events_unanalysed
             WHERE event = 'PostToolUseFailure' AND fingerprint IS NULL AND payload IS NOT NULL
             LIMIT ?1",
            [limit as i64],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let mut updates = Vec::new();
        for (id, payload, project) in rows {
            let Ok(ev) = Event::parse(payload.as_bytes()) else {
                // Marked, so it is not selected again on every query.
                updates.push((
                    id,
                    spool::FailureOutcome {
                        fingerprint: "-".into(),
                        ..Default::default()
                    },
                ));
                continue;
            };
            // An unclassifiable row still gets a fingerprint so it is not
            // picked up again on every query.
            let f = classify(&ev, project.as_deref()).unwrap_or_else(|| spool::FailureOutcome {
                fingerprint: "-".into(),
                ..Default::default()
            });
            updates.push((id, f));
        }
        let tx = self.conn.transaction().map_err(&e)?;
        for (id, f) in &updates {
            tx.execute(
                "UPDATE events SET fingerprint = ?2, class = ?3, severity = ?4, expected = ?5,
                 command_head = ?6, mcp_server = coalesce(mcp_server, ?7) WHERE id = ?1",
                params![
                    id,
                    f.fingerprint,
                    f.class,
                    f.severity,
                    f.expected,
                    f.command_head,
                    f.mcp_server
                ],
            )
            .map_err(&e)?;
        }
        tx.commit().map_err(&e)?;
        Ok(updates.len())
    }

    fn user_version(&self) -> Result<i64> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(sql_err(&self.path))
    }

    fn migrate(&mut self) -> Result<()> {
        let lock_path = self.path.with_extension("init.lock");
        let lock = File::create(&lock_path).map_err(|source| StoreError::Io {
            path: lock_path.clone(),
            source,
        })?;
        lock.lock().map_err(|source| StoreError::Io {
            path: lock_path,
            source,
        })?;
        // Re-check under the lock: another process may have finished first.
        let found = self.user_version()?;
        let known = MIGRATIONS.len() as i64;
        if found > known {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found,
                known,
            });
        }
        let e = sql_err(&self.path);
        if found == 0 {
            // Only possible before the first table exists: deleted events
            // (retention, `hookwatch prune`) then give their pages back with
            // `PRAGMA incremental_vacuum`. An older database needs one full
            // VACUUM to switch (`hookwatch prune --vacuum`, never the worker).
            self.conn
                .pragma_update(None, "auto_vacuum", "INCREMENTAL")
                .map_err(&e)?;
        }
        self.conn
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(&e)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&e)?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            tx.execute_batch(sql).map_err(&e)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)
                .map_err(&e)?;
        }
        tx.commit().map_err(&e)
    }

    /// Move every complete record from the spool directories into the
    /// database. Safe to run concurrently with hooks and with other ingesters.
    pub fn ingest(&mut self, spool_dirs: &[PathBuf]) -> Result<IngestReport> {
        let mut report = IngestReport::default();
        for dir in spool_dirs {
            let mut files = match spool::pending(dir) {
                Ok(f) => f,
                // Not a directory (something in the way): the hook used the
                // rescue spool instead; keep ingesting the other dirs.
                Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => continue,
                Err(source) => {
                    return Err(StoreError::Io {
                        path: dir.clone(),
                        source,
                    })
                }
            };
            // Orphans of killed writers: keep whatever reached the disk.
            files.extend(spool::orphans(dir, Duration::from_secs(60)).unwrap_or_default());
            for chunk in files.chunks(500) {
                self.ingest_batch(chunk, &mut report)?;
            }
        }
        Ok(report)
    }

    fn ingest_batch(&mut self, files: &[PathBuf], report: &mut IngestReport) -> Result<()> {
        let e = sql_err(&self.path);
        let mut done = Vec::with_capacity(files.len());
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&e)?;
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO events (spool_id, time_us, event, session_id, cwd, project,
                     tool_name, tool_use_id, agent_id, error, is_interrupt, duration_ms, payload, raw,
                     parse_error, original_size, truncated, hash, recovered, fingerprint, class,
                     severity, expected, command_head, mcp_server, guard_decision, outcome)
                     VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,
                     ?20,?21,?22,?23,?24,?25,?26,?27)",
                )
                .map_err(&e)?;
            for path in files {
                let rec = match spool::read(path) {
                    Ok(r) => r,
                    // Vanished: another ingester took it. Unreadable: leave it
                    // for inspection rather than delete evidence;
                    // `hookwatch ingest` reports how many there are.
                    Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(_) => {
                        report.unreadable += 1;
                        continue;
                    }
                };
                let row = Row::from_record(&rec, self.classifier.as_deref());
                let f = row.failure.as_ref();
                if row.event == "StopFailure" && supersede(&tx, &rec, &row).map_err(&e)? {
                    report.duplicates += 1;
                    done.push(rec.path);
                    continue;
                }
                let n = insert
                    .execute(params![
                        rec.header.id,
                        rec.header.time_us,
                        row.event,
                        row.session_id,
                        row.cwd,
                        row.project,
                        row.tool_name,
                        row.tool_use_id,
                        row.agent_id,
                        row.error,
                        row.is_interrupt,
                        row.duration_ms,
                        row.payload,
                        row.raw,
                        row.parse_error,
                        rec.header.original_size as i64,
                        rec.header.truncated,
                        rec.header.hash,
                        rec.header.recovered,
                        f.map(|f| &f.fingerprint),
                        f.map(|f| &f.class),
                        f.map(|f| &f.severity),
                        f.map(|f| f.expected),
                        f.and_then(|f| f.command_head.as_ref()),
                        row.mcp_server,
                        rec.header
                            .outcome
                            .as_ref()
                            .and_then(|o| o.guard.as_ref())
                            .map(|g| &g.decision),
                        rec.header
                            .outcome
                            .as_ref()
                            .and_then(|o| serde_json::to_string(o).ok()),
                    ])
                    .map_err(&e)?;
                if n == 1 {
                    report.inserted += 1;
                } else {
                    report.duplicates += 1;
                }
                done.push(rec.path);
            }
        }
        tx.commit().map_err(&e)?;
        // Only after the commit: a crash before this line leaves files that
        // the next pass finds already stored (INSERT OR IGNORE).
        for p in done {
            let _ = fs::remove_file(p);
        }
        Ok(())
    }

    pub fn events(&self, f: &EventFilter) -> Result<Vec<EventRow>> {
        let (sql, args) = filtered(f);
        // The newest `limit` ids from the indexes first, then only their
        // rows: sorting the whole rows (payloads of KBs) of every match was
        // most of `events --tool Bash` on a large store.
        let sql = match f.limit {
            Some(n) => format!(
                "{SELECT_ROW} WHERE id IN (SELECT id FROM events{sql} ORDER BY id DESC LIMIT {n})
                 ORDER BY id DESC"
            ),
            None => format!("{SELECT_ROW}{sql} ORDER BY id DESC"),
        };
        let mut rows = self.rows(&sql, rusqlite::params_from_iter(args), row_from_sql)?;
        rows.reverse();
        Ok(rows)
    }

    /// Every event `f` selects, oldest first, handed to `each` one at a time
    /// as the statement steps (`hookwatch export`): memory stays constant
    /// however many rows there are. `f.limit` is ignored. Returns how many.
    pub fn each_event<E: From<StoreError>>(
        &self,
        f: &EventFilter,
        mut each: impl FnMut(EventRow) -> std::result::Result<(), E>,
    ) -> std::result::Result<u64, E> {
        let e = sql_err(&self.path);
        let (sql, args) = filtered(f);
        let sql = format!("{SELECT_ROW}{sql} ORDER BY id");
        let mut stmt = self.conn.prepare(&sql).map_err(&e)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(args)).map_err(&e)?;
        let mut n = 0;
        while let Some(r) = rows.next().map_err(&e)? {
            each(row_from_sql(r).map_err(&e)?)?;
            n += 1;
        }
        Ok(n)
    }

    pub fn event(&self, id: i64) -> Result<Option<EventRow>> {
        self.conn
            .query_row(&format!("{SELECT_ROW} WHERE id = ?1"), [id], row_from_sql)
            .optional()
            .map_err(sql_err(&self.path))
    }

    pub fn count(&self) -> Result<i64> {
        self.conn
            .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
            .map_err(sql_err(&self.path))
    }

    /// Run a query and map every row.
    pub(crate) fn rows<T>(
        &self,
        sql: &str,
        args: impl rusqlite::Params,
        f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        let e = sql_err(&self.path);
        let mut stmt = self.conn.prepare(sql).map_err(&e)?;
        let out = stmt
            .query_map(args, f)
            .map_err(&e)?
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(&e)?;
        Ok(out)
    }

    pub fn stats(&self, since_us: Option<i64>, repeat_threshold: u32) -> Result<Stats> {
        let since = since_us.unwrap_or(i64::MIN);
        // Counts per event, project, tool and MCP server from the rollups
        // (migrations 0008 and 0009, kept exact by triggers): all time from
        // rollup_total; since a time, its whole hours from rollup_hour and
        // the part of an hour before them from the events themselves (time
        // index). The same counts as a scan of the events, without reading
        // every row of a large store (a million events: a 2.5 GB table,
        // 3.5 s). One pass, added up here.
        let split = if since == i64::MIN {
            i64::MIN
        } else {
            since.saturating_add((HOUR_US - since.rem_euclid(HOUR_US)) % HOUR_US)
        };
        let hours = if since == i64::MIN {
            "SELECT event, project, tool, mcp_server, n FROM rollup_total WHERE ?2 = ?2"
        } else {
            "SELECT event, project, tool, mcp_server, n FROM rollup_hour WHERE hour_us >= ?2"
        };
        let mut events = 0i64;
        let mut per_event: BTreeMap<String, i64> = BTreeMap::new();
        let mut per_project: BTreeMap<String, i64> = BTreeMap::new();
        let mut per_tool: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        let mut per_mcp: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for (event, project, tool, mcp, n) in self.rows(
            &format!(
                "SELECT event, project, tool, mcp_server, sum(n) FROM (
                     {hours}
                     UNION ALL
                     SELECT event, coalesce(project, ''), coalesce(tool_name, ''),
                            coalesce(mcp_server, ''), 1
                       FROM events WHERE time_us >= ?1 AND time_us < ?2)
                 GROUP BY 1, 2, 3, 4"
            ),
            [since, split],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            },
        )? {
            events += n;
            *per_event.entry(event.clone()).or_default() += n;
            let failure = event == "PostToolUseFailure";
            if failure || event == "StopFailure" {
                *per_project.entry(project).or_default() += n;
            }
            if failure || event == "PostToolUse" {
                for (key, map) in [(tool, &mut per_tool), (mcp, &mut per_mcp)] {
                    if !key.is_empty() {
                        let c = map.entry(key).or_default();
                        c.0 += n;
                        c.1 += if failure { n } else { 0 };
                    }
                }
            }
        }
        // Interrupts are failures: the events' event index finds them.
        let mut interrupts: HashMap<(bool, String), i64> = HashMap::new();
        for (tool, mcp, n) in self.rows(
            "SELECT tool_name, mcp_server, count(*) FROM events INDEXED BY events_failures
             WHERE event = 'PostToolUseFailure' AND time_us >= ?1 AND is_interrupt
             GROUP BY 1, 2",
            [since],
            |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            },
        )? {
            for (is_mcp, key) in [(false, tool), (true, mcp)] {
                if let Some(key) = key.filter(|k| !k.is_empty()) {
                    *interrupts.entry((is_mcp, key)).or_default() += n;
                }
            }
        }
        let counts = |m: BTreeMap<String, i64>| {
            let mut v: Vec<Count> = m
                .into_iter()
                .map(|(key, count)| Count { key, count })
                .collect();
            // ORDER BY count DESC, key (BTreeMap order is SQLite's BINARY).
            v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
            v
        };
        let tools = |m: BTreeMap<String, (i64, i64)>, is_mcp: bool| {
            let mut v: Vec<ToolStat> = m
                .into_iter()
                .map(|(tool, (calls, failures))| ToolStat {
                    interrupts: interrupts
                        .get(&(is_mcp, tool.clone()))
                        .copied()
                        .unwrap_or(0),
                    tool,
                    calls,
                    failures,
                })
                .collect();
            v.sort_by(|a, b| {
                b.failures
                    .cmp(&a.failures)
                    .then_with(|| b.calls.cmp(&a.calls))
                    .then_with(|| a.tool.cmp(&b.tool))
            });
            v
        };
        let sessions = self
            .conn
            .query_row(
                "SELECT count(*) FROM session_summary WHERE last_us >= ?1",
                [since],
                |r| r.get(0),
            )
            .map_err(sql_err(&self.path))?;
        let unparseable = self
            .conn
            .query_row(
                "SELECT count(*) FROM events WHERE event = '' AND time_us >= ?1
                 AND parse_error IS NOT NULL",
                [since],
                |r| r.get(0),
            )
            .map_err(sql_err(&self.path))?;
        let count_rows = |sql: &str| {
            self.rows(sql, [since], |r| {
                Ok(Count {
                    key: r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                    count: r.get(1)?,
                })
            })
        };
        Ok(Stats {
            events,
            sessions,
            unparseable,
            per_event: counts(per_event),
            failures_per_project: counts(per_project),
            stop_failures: count_rows(
                "SELECT error, count(*) FROM events WHERE time_us >= ?1 AND event = 'StopFailure'
                 GROUP BY error ORDER BY 2 DESC, 1",
            )?,
            per_tool: tools(per_tool, false),
            per_mcp_server: tools(per_mcp, true),
            per_class: self.rows(
                "SELECT coalesce(class, 'unclassified'), count(*), sum(coalesce(expected, 0))
                 FROM events INDEXED BY events_failures
                 WHERE time_us >= ?1 AND event = 'PostToolUseFailure'
                 GROUP BY 1 ORDER BY 2 DESC, 1",
                [since],
                |r| {
                    Ok(ClassStat {
                        class: r.get(0)?,
                        failures: r.get(1)?,
                        expected: r.get(2)?,
                    })
                },
            )?,
            top_fingerprints: self.rows(
                "SELECT fingerprint, max(tool_name), max(command_head), max(class),
                        max(coalesce(expected, 0)), count(*), count(DISTINCT session_id),
                        count(DISTINCT project), max(id), max(time_us)
                 FROM events INDEXED BY events_failures WHERE time_us >= ?1 AND event = 'PostToolUseFailure'
                   AND fingerprint IS NOT NULL AND fingerprint != '-'
                 GROUP BY fingerprint ORDER BY 6 DESC, 10 DESC LIMIT 20",
                [since],
                |r| {
                    Ok(FingerprintStat {
                        fingerprint: r.get(0)?,
                        tool: r.get(1)?,
                        command_head: r.get(2)?,
                        class: r.get(3)?,
                        expected: r.get(4)?,
                        count: r.get(5)?,
                        sessions: r.get(6)?,
                        projects: r.get(7)?,
                        last_id: r.get(8)?,
                        last_time_us: r.get(9)?,
                    })
                },
            )?,
            repeated: self.rows(
                "SELECT session_id, fingerprint, max(tool_name), max(command_head), count(*), max(id)
                 FROM events INDEXED BY events_failures WHERE time_us >= ?1 AND event = 'PostToolUseFailure'
                   AND fingerprint IS NOT NULL AND fingerprint != '-' AND session_id IS NOT NULL
                 GROUP BY session_id, fingerprint HAVING count(*) >= ?2
                 ORDER BY 5 DESC, 6 DESC LIMIT 20",
                params![since, repeat_threshold.max(2)],
                |r| {
                    Ok(RepeatStat {
                        session_id: r.get(0)?,
                        fingerprint: r.get(1)?,
                        tool: r.get(2)?,
                        command_head: r.get(3)?,
                        count: r.get(4)?,
                        last_id: r.get(5)?,
                    })
                },
            )?,
            guard: self.rows(
                "SELECT guard_decision, coalesce(json_extract(outcome, '$.guard.policy'), ''), count(*)
                 FROM events INDEXED BY events_guard WHERE time_us >= ?1 AND guard_decision IS NOT NULL
                 GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2",
                [since],
                |r| {
                    Ok(GuardStat {
                        decision: r.get(0)?,
                        policy: r.get(1)?,
                        count: r.get(2)?,
                    })
                },
            )?,
        })
    }
}

/// `SELECT_ROW` with the WHERE clause of `f` (no order, no limit).
/// The ` WHERE …` clause of `f` (after `FROM events`) and its arguments.
fn filtered(f: &EventFilter) -> (String, Vec<rusqlite::types::Value>) {
    let mut sql = String::from(" WHERE 1=1");
    if matches!(f.guard.as_deref(), Some("" | "any")) {
        // IS NOT NULL: the partial index on guard_decision applies.
        sql.push_str(" AND guard_decision IS NOT NULL");
    }
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    let mut add = |clause: &str, v: rusqlite::types::Value| {
        args.push(v);
        sql.push_str(&format!(" AND {clause} ?{}", args.len()));
    };
    if let Some(v) = &f.event {
        add("event =", v.clone().into());
    }
    if let Some(v) = &f.session {
        add("session_id =", v.clone().into());
    }
    if let Some(v) = &f.tool {
        add("tool_name =", v.clone().into());
    }
    if let Some(v) = &f.fingerprint {
        add("fingerprint =", v.clone().into());
    }
    if let Some(v) = &f.class {
        add("class =", v.clone().into());
    }
    match f.guard.as_deref() {
        None | Some("" | "any") => {}
        Some(v) => add("guard_decision =", v.to_string().into()),
    }
    if let Some(v) = f.since_us {
        add("time_us >=", v.into());
    }
    if let Some(v) = f.until_us {
        add("time_us <", v.into());
    }
    if let Some(v) = f.after_id {
        add("id >", v.into());
    }
    (sql, args)
}

pub(crate) const SELECT_ROW: &str = "SELECT id, time_us, event, session_id, cwd, project, tool_name, tool_use_id,
    agent_id, error, is_interrupt, duration_ms, payload, raw, parse_error, original_size, truncated, hash,
    fingerprint, class, severity, expected, command_head, mcp_server, guard_decision, outcome
    FROM events";

pub(crate) fn row_from_sql(r: &rusqlite::Row<'_>) -> rusqlite::Result<EventRow> {
    Ok(EventRow {
        id: r.get(0)?,
        time_us: r.get(1)?,
        event: r.get(2)?,
        session_id: r.get(3)?,
        cwd: r.get(4)?,
        project: r.get(5)?,
        tool_name: r.get(6)?,
        tool_use_id: r.get(7)?,
        agent_id: r.get(8)?,
        error: r.get(9)?,
        is_interrupt: r.get(10)?,
        duration_ms: r.get(11)?,
        payload: r.get(12)?,
        raw: r.get(13)?,
        parse_error: r.get(14)?,
        original_size: r.get(15)?,
        truncated: r.get(16)?,
        hash: r.get(17)?,
        fingerprint: r.get(18)?,
        class: r.get(19)?,
        severity: r.get(20)?,
        expected: r.get(21)?,
        command_head: r.get(22)?,
        mcp_server: r.get(23)?,
        guard_decision: r.get(24)?,
        outcome: r.get(25)?,
    })
}

/// A StopFailure may arrive twice: from its own hook, and rebuilt from the
/// transcript at SessionEnd in case that hook was killed (see
/// `hookwatch_event::transcript`). The real one wins, whichever comes first:
/// returns true when `rec` is a rebuilt one that a real one already covers;
/// removes rebuilt ones that a real `rec` covers.
fn supersede(
    tx: &rusqlite::Transaction<'_>,
    rec: &spool::Record,
    row: &Row,
) -> rusqlite::Result<bool> {
    // The real hook and the transcript entry are written within a second of
    // each other; two failures of one session are a turn (a resume) apart.
    const WINDOW_US: i64 = 10_000_000;
    let args = params![row.session_id, row.error, rec.header.time_us, WINDOW_US];
    if rec.header.recovered.is_some() {
        tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM events WHERE event = 'StopFailure' AND recovered IS NULL
             AND session_id IS ?1 AND error IS ?2 AND abs(time_us - ?3) < ?4)",
            args,
            |r| r.get(0),
        )
    } else {
        tx.execute(
            // One real event replaces one rebuilt event: the nearest.
            "DELETE FROM events WHERE id = (SELECT id FROM events WHERE event = 'StopFailure'
             AND recovered IS NOT NULL AND session_id IS ?1 AND error IS ?2
             AND abs(time_us - ?3) < ?4 ORDER BY abs(time_us - ?3) LIMIT 1)",
            args,
        )?;
        Ok(false)
    }
}

/// The indexed columns of one record.
struct Row {
    event: String,
    session_id: Option<String>,
    cwd: Option<String>,
    project: Option<String>,
    tool_name: Option<String>,
    tool_use_id: Option<String>,
    agent_id: Option<String>,
    error: Option<String>,
    is_interrupt: Option<bool>,
    duration_ms: Option<i64>,
    payload: Option<String>,
    raw: Option<Vec<u8>>,
    parse_error: Option<String>,
    mcp_server: Option<String>,
    failure: Option<spool::FailureOutcome>,
}

impl Row {
    fn from_record(rec: &spool::Record, classify: Option<&Classifier>) -> Row {
        let parsed = match &rec.header.parse_error {
            Some(err) => Err(err.clone()),
            None => match std::str::from_utf8(&rec.payload) {
                Ok(text) => Event::parse(text.as_bytes())
                    .map(|ev| (ev, text.to_owned()))
                    .map_err(|e| e.to_string()),
                Err(e) => Err(format!("payload is not UTF-8: {e}")),
            },
        };
        match parsed {
            Ok((ev, text)) => {
                let project = rec.header.project_dir.clone().or(ev.common.cwd.clone());
                let failure = rec
                    .header
                    .outcome
                    .as_ref()
                    .and_then(|o| o.failure.clone())
                    .or_else(|| {
                        (ev.name == "PostToolUseFailure")
                            .then(|| classify.and_then(|c| c(&ev, project.as_deref())))
                            .flatten()
                    });
                let mcp_server =
                    failure
                        .as_ref()
                        .and_then(|f| f.mcp_server.clone())
                        .or_else(|| {
                            ev.mcp_server()
                                .or_else(|| ev.tool_name().and_then(hookwatch_event::mcp_server_of))
                                .map(str::to_owned)
                        });
                Row {
                    session_id: ev.common.session_id.clone(),
                    cwd: ev.common.cwd.clone(),
                    project,
                    tool_name: ev.tool_name().map(str::to_owned),
                    tool_use_id: ev.tool_use_id().map(str::to_owned),
                    agent_id: ev.common.agent_id.clone(),
                    error: ev.error().map(str::to_owned),
                    is_interrupt: ev.is_interrupt(),
                    duration_ms: ev.duration_ms().map(|d| d as i64),
                    event: ev.name,
                    payload: Some(text),
                    raw: None,
                    parse_error: None,
                    mcp_server,
                    failure,
                }
            }
            Err(err) => Row {
                event: String::new(),
                session_id: None,
                cwd: None,
                project: rec.header.project_dir.clone(),
                tool_name: None,
                tool_use_id: None,
                agent_id: None,
                error: None,
                is_interrupt: None,
                duration_ms: None,
                payload: None,
                raw: Some(rec.payload.clone()),
                parse_error: Some(err),
                mcp_server: None,
                failure: None,
            },
        }
    }
}

#[cfg(test)]
mod tests;
