//! Deleting old events (the worker's `[store] retention`, `hookwatch
//! prune`) and giving their pages back to the file system.
//!
//! Events go with plain `DELETE FROM events` statements, a bounded batch per
//! transaction: whatever is kept in step with `events` by triggers (rollups,
//! the full-text index) follows each row as it goes, and no transaction holds
//! the write lock for long.
//!
//! What stays whatever its age, and why:
//! - the newest event: ids are never reused only while the row with the
//!   largest id exists (an INTEGER PRIMARY KEY without AUTOINCREMENT takes
//!   max(id) + 1), and the alert and recovery cursors, `alerts.event_id`,
//!   `recover_jobs.event_id` and the rescrub cursor all name events by id;
//! - events the alert routing or the recovery pass has not looked at yet,
//!   when that pass is on: each event is decided once, by a cursor;
//! - the event of a pending alert: its notification is written from the
//!   event when its group flushes;
//! - the events of a session with a scheduled or running resume: the runner
//!   reads what happened in the session after the failure (did a person take
//!   over?), and `hookwatch show` the diagnosis.
//!
//! Nothing else is deleted here. Alert history (alerts no longer pending,
//! sent and dead notifications) outlives its events on purpose: it carries
//! its own labels, says what was sent to whom, and `prune_outbox` ages it out
//! after 30 days. Recovery jobs stay too: they are the per-session and
//! per-day resume caps, a few rows per StopFailure.

use crate::{sql_err, Count, Result, Store};
use rusqlite::{params, Connection, TransactionBehavior};
use serde::Serialize;
use std::time::{Duration, Instant};

/// Passes whose unseen events must be kept (see the module docs).
#[derive(Debug, Default, Clone, Copy)]
pub struct Keep {
    /// Alert routing is on: keep events it has not routed yet.
    pub unrouted: bool,
    /// Recovery is on: keep events its pass has not looked at yet.
    pub unseen_by_recovery: bool,
    /// Events [notify] has not looked at yet.
    pub unseen_by_attention: bool,
    /// Events [otel] has not exported yet (its own `max_queue` bounds them).
    pub unexported: bool,
}

/// What a prune would delete now (`hookwatch prune --dry-run`).
#[derive(Debug, Default, Clone, Serialize, PartialEq)]
pub struct PrunePreview {
    pub events: i64,
    /// Per event kind, most first (`""`: unparseable input).
    pub by_event: Vec<Count>,
    /// Older than the cutoff but kept (see the module docs).
    pub kept: i64,
}

#[derive(Debug, Clone, Copy)]
pub struct PruneOptions {
    /// Rows per transaction.
    pub batch: usize,
    /// Sleep between batches, so other writers (ingestion) get the lock.
    pub pause: Duration,
    /// Stop after the batch that runs past this (the worker has other work);
    /// `None`: until nothing is left.
    pub budget: Option<Duration>,
    /// Most pages `incremental_vacuum` gives back per batch (a bound on how
    /// long it holds the write lock).
    pub vacuum_pages: u32,
}

impl Default for PruneOptions {
    fn default() -> Self {
        PruneOptions {
            batch: 2000,
            pause: Duration::from_millis(10),
            budget: None,
            vacuum_pages: 4096,
        }
    }
}

#[derive(Debug, Default, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct PruneReport {
    pub deleted: u64,
    /// Transactions that deleted something.
    pub batches: u64,
    /// Nothing older is left to delete (false: the budget ran out first).
    pub complete: bool,
    /// How much smaller the database file got.
    pub freed_bytes: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AutoVacuum {
    /// Deleted pages are reused, the file never shrinks (databases made
    /// before hookwatch set incremental).
    None,
    Full,
    Incremental,
}

/// The events a prune may delete: older than `?1`, below id `?2` (see
/// `deletable_below`), not the event of a pending alert, not of a session
/// with a resume in flight.
const PRUNABLE: &str = "time_us < ?1 AND id < ?2
    AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.event_id = events.id AND a.state = 'pending')
    AND (session_id IS NULL OR session_id NOT IN
         (SELECT session FROM recover_jobs WHERE state IN ('scheduled', 'running')))";

/// Ids from here up are kept: the newest event, and what a pass that is on
/// has not seen.
fn deletable_below(conn: &Connection, keep: Keep) -> rusqlite::Result<i64> {
    let mut below: i64 =
        conn.query_row("SELECT coalesce(max(id), 0) FROM events", [], |r| r.get(0))?;
    let cursor = |table: &str| -> rusqlite::Result<i64> {
        conn.query_row(&format!("SELECT last_event_id FROM {table}"), [], |r| {
            r.get(0)
        })
    };
    if keep.unrouted {
        below = below.min(cursor("alert_cursor")? + 1);
    }
    if keep.unseen_by_recovery {
        below = below.min(cursor("recover_cursor")? + 1);
    }
    if keep.unseen_by_attention {
        below = below.min(cursor("attention_cursor")? + 1);
    }
    if keep.unexported {
        let oldest: i64 = conn.query_row(
            "SELECT coalesce(min(last_event_id), 0) FROM otel_export",
            [],
            |r| r.get(0),
        )?;
        below = below.min(oldest + 1);
    }
    Ok(below)
}

impl Store {
    /// What `prune_events` would delete now, per event kind.
    pub fn prune_preview(&mut self, before_us: i64, keep: Keep) -> Result<PrunePreview> {
        let e = sql_err(&self.path);
        // One snapshot: the counts agree with each other.
        let tx = self.conn.transaction().map_err(&e)?;
        let below = deletable_below(&tx, keep).map_err(&e)?;
        let by_event = {
            let mut stmt = tx
                .prepare(&format!(
                    "SELECT event, count(*) FROM events WHERE {PRUNABLE} GROUP BY event ORDER BY 2 DESC, 1"
                ))
                .map_err(&e)?;
            let rows = stmt
                .query_map(params![before_us, below], |r| {
                    Ok(Count {
                        key: r.get(0)?,
                        count: r.get(1)?,
                    })
                })
                .map_err(&e)?
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(&e)?;
            rows
        };
        let older: i64 = tx
            .query_row(
                "SELECT count(*) FROM events WHERE time_us < ?1",
                [before_us],
                |r| r.get(0),
            )
            .map_err(&e)?;
        tx.commit().map_err(&e)?;
        let events = by_event.iter().map(|c| c.count).sum();
        Ok(PrunePreview {
            events,
            by_event,
            kept: older - events,
        })
    }

    /// Delete events older than `before_us` (except those the module docs
    /// list), `opts.batch` rows per transaction, giving the pages back after
    /// each batch when the database is in incremental auto-vacuum mode.
    /// `progress` sees the running totals after every batch.
    pub fn prune_events(
        &mut self,
        before_us: i64,
        keep: Keep,
        opts: PruneOptions,
        progress: &mut dyn FnMut(&PruneReport),
    ) -> Result<PruneReport> {
        let e = sql_err(&self.path);
        let started = Instant::now();
        let over_budget = || opts.budget.is_some_and(|b| started.elapsed() >= b);
        let incremental = self.auto_vacuum()? == AutoVacuum::Incremental;
        let size_before = self.file_bytes()?;
        let delete = format!(
            "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE {PRUNABLE} LIMIT ?3)"
        );
        let mut report = PruneReport::default();
        loop {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(&e)?;
            // Under the write lock: a cursor cannot move past what this
            // batch sees.
            let below = deletable_below(&tx, keep).map_err(&e)?;
            let n = tx
                .execute(&delete, params![before_us, below, opts.batch.max(1) as i64])
                .map_err(&e)?;
            tx.commit().map_err(&e)?;
            if n > 0 {
                report.deleted += n as u64;
                report.batches += 1;
                if incremental {
                    self.incremental_vacuum(opts.vacuum_pages)?;
                }
            }
            progress(&report);
            if n < opts.batch.max(1) {
                report.complete = true;
                break;
            }
            if over_budget() {
                break;
            }
            std::thread::sleep(opts.pause);
        }
        // Large payloads free more pages per row than one step returns.
        // Bounded by progress too: another writer may be freeing pages.
        let mut free = if incremental {
            self.freelist_count()?
        } else {
            0
        };
        while free > 0 && !over_budget() {
            std::thread::sleep(opts.pause);
            self.incremental_vacuum(opts.vacuum_pages)?;
            let left = self.freelist_count()?;
            if left >= free {
                break;
            }
            free = left;
        }
        report.freed_bytes = size_before.saturating_sub(self.file_bytes()?);
        Ok(report)
    }

    /// Give up to `pages` free pages back to the file system (a no-op unless
    /// the database is in incremental auto-vacuum mode).
    pub fn incremental_vacuum(&self, pages: u32) -> Result<()> {
        let e = sql_err(&self.path);
        // Each step frees one page and yields a row: step to the end
        // (`execute_batch` steps once). 0 would mean the whole freelist.
        let mut stmt = self
            .conn
            .prepare(&format!("PRAGMA incremental_vacuum({})", pages.max(1)))
            .map_err(&e)?;
        let mut rows = stmt.query([]).map_err(&e)?;
        while rows.next().map_err(&e)?.is_some() {}
        Ok(())
    }

    pub fn auto_vacuum(&self) -> Result<AutoVacuum> {
        let mode: i64 = self
            .conn
            .query_row("PRAGMA auto_vacuum", [], |r| r.get(0))
            .map_err(sql_err(&self.path))?;
        Ok(match mode {
            1 => AutoVacuum::Full,
            2 => AutoVacuum::Incremental,
            _ => AutoVacuum::None,
        })
    }

    /// Rewrite the whole database once (VACUUM) in incremental auto-vacuum
    /// mode, the only way to switch an existing database to it. Needs free
    /// disk space about the size of the database and holds the write lock
    /// throughout: for `hookwatch prune --vacuum`, never the worker.
    pub fn vacuum_into_incremental(&mut self) -> Result<()> {
        let e = sql_err(&self.path);
        self.conn
            .pragma_update(None, "auto_vacuum", "INCREMENTAL")
            .map_err(&e)?;
        self.conn.execute_batch("VACUUM").map_err(&e)?;
        // VACUUM went through the WAL: leave no file of the old size behind.
        // Busy readers only mean the WAL is truncated later.
        let _ = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        Ok(())
    }

    /// Size of the database file in bytes (pages in use and free).
    pub fn file_bytes(&self) -> Result<u64> {
        let e = sql_err(&self.path);
        let pages: i64 = self
            .conn
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .map_err(&e)?;
        let size: i64 = self
            .conn
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .map_err(&e)?;
        Ok((pages * size).max(0) as u64)
    }

    fn freelist_count(&self) -> Result<i64> {
        self.conn
            .query_row("PRAGMA freelist_count", [], |r| r.get(0))
            .map_err(sql_err(&self.path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const DAY: i64 = 86_400_000_000;
    const NOW: i64 = 1_800_000_000_000_000;

    fn open(dir: &Path) -> Store {
        Store::open(&dir.join("hookwatch.db")).unwrap()
    }

    /// `n` events of `session` at `time_us`, each with about `pad` bytes of
    /// payload; returns the ids.
    fn insert(s: &Store, tag: &str, n: i64, time_us: i64, session: &str, pad: i64) -> Vec<i64> {
        s.conn
            .execute(
                "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ?1)
                 INSERT INTO events (spool_id, time_us, event, session_id, payload, original_size)
                 SELECT ?2 || '-' || i, ?3, CASE WHEN i % 3 = 0 THEN 'Stop' ELSE 'PostToolUse' END,
                        ?4, '{\"pad\":\"' || substr(hex(zeroblob(?5)), 1, ?5) || '\"}', 0 FROM c",
                params![n, tag, time_us, session, pad],
            )
            .unwrap();
        let mut stmt = s
            .conn
            .prepare("SELECT id FROM events WHERE spool_id LIKE ?1 || '-%' ORDER BY id")
            .unwrap();
        let ids = stmt
            .query_map([tag], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<Vec<i64>>>()
            .unwrap();
        ids
    }

    fn ids(s: &Store) -> Vec<i64> {
        let mut stmt = s.conn.prepare("SELECT id FROM events ORDER BY id").unwrap();
        let ids = stmt
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<Vec<i64>>>()
            .unwrap();
        ids
    }

    fn opts(batch: usize) -> PruneOptions {
        PruneOptions {
            batch,
            pause: Duration::ZERO,
            ..Default::default()
        }
    }

    #[test]
    fn new_databases_use_incremental_auto_vacuum() {
        let d = tempfile::tempdir().unwrap();
        let s = open(d.path());
        assert_eq!(s.auto_vacuum().unwrap(), AutoVacuum::Incremental);
        drop(s);
        // And keep it when opened again.
        assert_eq!(
            open(d.path()).auto_vacuum().unwrap(),
            AutoVacuum::Incremental
        );
    }

    #[test]
    fn prune_deletes_exactly_the_older_events_in_batches() {
        let d = tempfile::tempdir().unwrap();
        let mut s = open(d.path());
        let old = insert(&s, "old", 5000, NOW - 100 * DAY, "a", 10);
        let edge = insert(&s, "edge", 1, NOW - 90 * DAY, "a", 10);
        let new = insert(&s, "new", 100, NOW - DAY, "a", 10);
        let preview = s.prune_preview(NOW - 90 * DAY, Keep::default()).unwrap();
        assert_eq!(preview.events, 5000);
        assert_eq!(preview.kept, 0);
        assert_eq!(
            preview.by_event,
            vec![
                Count {
                    key: "PostToolUse".into(),
                    count: 3334
                },
                Count {
                    key: "Stop".into(),
                    count: 1666
                }
            ]
        );
        assert_eq!(ids(&s).len(), 5101, "a preview deletes nothing");
        let mut seen = Vec::new();
        let r = s
            .prune_events(NOW - 90 * DAY, Keep::default(), opts(2000), &mut |r| {
                seen.push(r.deleted)
            })
            .unwrap();
        assert_eq!(r.deleted, 5000);
        assert_eq!(r.batches, 3);
        assert!(r.complete);
        assert_eq!(seen, [2000, 4000, 5000]);
        // Strictly older: the event exactly at the cutoff stays.
        assert_eq!(ids(&s), [edge, new].concat());
        assert!(old.iter().all(|id| !ids(&s).contains(id)));
        // Nothing left: a second run deletes nothing.
        let r = s
            .prune_events(NOW - 90 * DAY, Keep::default(), opts(2000), &mut |_| {})
            .unwrap();
        assert_eq!((r.deleted, r.batches, r.complete), (0, 0, true));
    }

    #[test]
    fn prune_keeps_the_newest_unseen_pending_and_resuming_events() {
        let d = tempfile::tempdir().unwrap();
        let mut s = open(d.path());
        let plain = insert(&s, "plain", 10, NOW - 10 * DAY, "a", 10);
        let resuming = insert(&s, "resuming", 3, NOW - 10 * DAY, "r", 10);
        let last = insert(&s, "last", 4, NOW - 10 * DAY, "b", 10);
        s.conn
            .execute_batch(&format!(
                "INSERT INTO alerts (event_id, time_us, routed_us, route, group_key, target,
                     fingerprint, labels, state)
                 VALUES ({p}, 0, 0, 'r', 'g', 't', 'f', '{{}}', 'pending'),
                        ({n}, 0, 0, 'r', 'g', 't', 'f', '{{}}', 'notified');
                 INSERT INTO recover_jobs (session, event_id, failure_us, error_type, kind, state,
                     attempt, created_us)
                 VALUES ('r', {r}, 0, 'rate_limit', 'retryable', 'scheduled', 1, 0),
                        ('a', {p}, 0, 'rate_limit', 'retryable', 'succeeded', 1, 0);
                 UPDATE alert_cursor SET last_event_id = {c};
                 UPDATE recover_cursor SET last_event_id = {c2};",
                p = plain[2],
                n = plain[3],
                r = resuming[0],
                c = last[1],
                c2 = last[2],
            ))
            .unwrap();
        let keep = Keep {
            unrouted: true,
            unseen_by_recovery: false,
            unseen_by_attention: false,
            unexported: false,
        };
        let preview = s.prune_preview(NOW, keep).unwrap();
        let r = s.prune_events(NOW, keep, opts(4), &mut |_| {}).unwrap();
        assert_eq!(r.deleted as i64, preview.events);
        // Kept: the pending alert's event, the resuming session, events
        // after the alert cursor (the recovery pass is off: its cursor does
        // not count).
        let mut expected = vec![plain[2]];
        expected.extend(&resuming);
        expected.extend(&last[2..]);
        assert_eq!(ids(&s), expected);
        assert_eq!(preview.kept, expected.len() as i64);
        // The alert history stays, its event gone.
        let alerts: i64 = s
            .conn
            .query_row("SELECT count(*) FROM alerts", [], |r| r.get(0))
            .unwrap();
        assert_eq!(alerts, 2);
        // The alert cursor moves on, recovery switched on: only the newest
        // event stays of those, whatever its age.
        s.conn
            .execute_batch(&format!(
                "UPDATE alert_cursor SET last_event_id = {0};
                 UPDATE recover_cursor SET last_event_id = {0};",
                last[3]
            ))
            .unwrap();
        let keep = Keep {
            unrouted: true,
            unseen_by_recovery: true,
            unseen_by_attention: false,
            unexported: false,
        };
        s.prune_events(NOW, keep, opts(4), &mut |_| {}).unwrap();
        let mut expected = vec![plain[2]];
        expected.extend(&resuming);
        expected.push(last[3]);
        assert_eq!(ids(&s), expected);
        // So a new event never takes an old id.
        let next = insert(&s, "next", 1, NOW, "b", 10);
        assert_eq!(next, [last[3] + 1]);
    }

    /// The rollups, session summaries and full-text index (kept by triggers
    /// on `events`, migration 0008) follow a prune row by row.
    #[test]
    fn views_kept_by_triggers_follow_a_prune() {
        let d = tempfile::tempdir().unwrap();
        let mut s = open(d.path());
        s.conn
            .execute(
                "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 3000)
                 INSERT INTO events (spool_id, time_us, event, session_id, tool_name, class,
                                     fingerprint, error, payload, original_size)
                 SELECT 'e' || i, ?1 + i * 60000000,
                        CASE WHEN i % 2 THEN 'PostToolUseFailure' ELSE 'PostToolUse' END,
                        's' || (i % 7), 'Bash', 'network', 'fp' || (i % 3), 'refused ' || i,
                        json_object('tool_input', json_object('command', 'curl x' || i)), 0
                   FROM c",
                [NOW - 10 * DAY],
            )
            .unwrap();
        let r = s
            .prune_events(
                NOW - 10 * DAY + 1000 * 60000000,
                Keep::default(),
                opts(300),
                &mut |_| {},
            )
            .unwrap();
        assert_eq!((r.deleted, r.batches), (999, 4));
        let q = |sql: &str| -> i64 { s.conn.query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(q("SELECT count(*) FROM events"), 2001);
        assert_eq!(q("SELECT sum(n) FROM rollup_hour"), 2001);
        assert_eq!(
            q("SELECT sum(n) FROM rollup_fingerprint_day"),
            q("SELECT count(*) FROM events WHERE event = 'PostToolUseFailure'")
        );
        assert_eq!(q("SELECT sum(events) FROM session_summary"), 2001);
        assert_eq!(
            q("SELECT first_us FROM session_summary WHERE session_id = 's3'"),
            q("SELECT min(time_us) FROM events WHERE session_id = 's3'")
        );
        assert_eq!(
            q("SELECT count(*) FROM events_fts WHERE events_fts MATCH 'refused'"),
            2001
        );
    }

    #[test]
    fn a_budget_stops_after_one_batch_and_the_next_call_goes_on() {
        let d = tempfile::tempdir().unwrap();
        let mut s = open(d.path());
        insert(&s, "old", 50, NOW - 10 * DAY, "a", 10);
        let o = PruneOptions {
            budget: Some(Duration::ZERO),
            ..opts(20)
        };
        let r = s
            .prune_events(NOW, Keep::default(), o, &mut |_| {})
            .unwrap();
        assert_eq!((r.deleted, r.batches, r.complete), (20, 1, false));
        let r = s
            .prune_events(NOW, Keep::default(), opts(20), &mut |_| {})
            .unwrap();
        assert_eq!((r.deleted, r.complete), (29, true), "the newest stays");
    }

    #[test]
    fn pruned_pages_go_back_to_the_file_system() {
        let d = tempfile::tempdir().unwrap();
        let mut s = open(d.path());
        insert(&s, "old", 2000, NOW - 10 * DAY, "a", 3000);
        insert(&s, "new", 10, NOW, "a", 3000);
        let before = s.file_bytes().unwrap();
        assert!(before > 6_000_000, "{before}");
        let r = s
            .prune_events(NOW - DAY, Keep::default(), opts(500), &mut |_| {})
            .unwrap();
        assert_eq!(r.deleted, 2000);
        let after = s.file_bytes().unwrap();
        assert!(after < before / 10, "{after} of {before}");
        assert_eq!(r.freed_bytes, before - after);
        assert_eq!(s.freelist_count().unwrap(), 0);
    }

    #[test]
    fn one_incremental_vacuum_call_gives_back_up_to_n_pages() {
        let d = tempfile::tempdir().unwrap();
        let s = open(d.path());
        insert(&s, "old", 500, NOW - 10 * DAY, "a", 3000);
        s.conn.execute("DELETE FROM events", []).unwrap();
        let free = s.freelist_count().unwrap();
        assert!(free > 300, "{free}");
        s.incremental_vacuum(100).unwrap();
        assert_eq!(s.freelist_count().unwrap(), free - 100);
        s.incremental_vacuum(u32::MAX).unwrap();
        assert_eq!(s.freelist_count().unwrap(), 0);
    }

    #[test]
    fn an_older_database_keeps_its_size_until_one_vacuum_switches_it() {
        let d = tempfile::tempdir().unwrap();
        // A database made before hookwatch set incremental auto-vacuum: it
        // had a table before the pragma could apply.
        let path = d.path().join("hookwatch.db");
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE t (x)")
            .unwrap();
        let mut s = Store::open(&path).unwrap();
        assert_eq!(s.auto_vacuum().unwrap(), AutoVacuum::None);
        insert(&s, "old", 1000, NOW - 10 * DAY, "a", 3000);
        insert(&s, "new", 1, NOW, "a", 10);
        let before = s.file_bytes().unwrap();
        let r = s
            .prune_events(NOW - DAY, Keep::default(), opts(500), &mut |_| {})
            .unwrap();
        assert_eq!((r.deleted, r.freed_bytes), (1000, 0));
        assert_eq!(s.file_bytes().unwrap(), before);
        s.vacuum_into_incremental().unwrap();
        assert_eq!(s.auto_vacuum().unwrap(), AutoVacuum::Incremental);
        // Relative: the schema's own pages grow with every migration.
        assert!(s.file_bytes().unwrap() < before / 5);
        assert_eq!(ids(&s).len(), 1);
    }
}
