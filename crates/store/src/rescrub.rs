//! Re-applying the current scrub rules to what is already stored, so that
//! a scrubber upgrade protects old data too (`hookwatch rescrub`).
//!
//! Every text column that holds event content is rescrubbed, and so are the
//! notifications still waiting in the outbox and the alert labels they are
//! built from. The walk goes by rowid in batches, one transaction each, with
//! a cursor per table committed in the same transaction: an interrupted run
//! resumes where it stopped, a finished one is a no-op until the rule set
//! changes. `secure_delete` zeroes the replaced text in the database pages,
//! and the WAL is checkpointed and truncated at the end, so the old values
//! do not linger in free pages.

use rusqlite::{params, OptionalExtension, TransactionBehavior};
use serde::Serialize;

use crate::{sql_err, Result, Store};

/// Scrubs one value; `None` when nothing was found (the common case).
pub type Scrubber<'a> = &'a dyn Fn(&[u8]) -> Option<Vec<u8>>;

/// The tables and columns walked, in order.
const TABLES: &[(&str, &[&str])] = &[
    (
        "events",
        &[
            "payload",
            "raw",
            "error",
            "parse_error",
            "outcome",
            "cwd",
            "project",
            "command_head",
        ],
    ),
    ("notifications", &["body", "last_error", "answer"]),
    ("alerts", &["labels", "reason"]),
    ("alert_groups", &["labels"]),
];

#[derive(Debug, Default, Clone, Serialize, PartialEq)]
pub struct RescrubReport {
    /// Rows looked at in this run.
    pub scanned: u64,
    /// Rows in which at least one column changed.
    pub changed: u64,
    /// True when every table was walked to the end with this rule set.
    pub complete: bool,
    /// Rows already done by an earlier, interrupted run with the same rules.
    pub resumed_after: u64,
}

/// Where a run is, for a progress line.
#[derive(Debug, Clone, Copy)]
pub struct RescrubProgress<'a> {
    pub table: &'a str,
    pub done: u64,
    pub total: u64,
    pub changed: u64,
}

impl Store {
    /// Rescrubs every stored row with `scrub`, `batch` rows per transaction.
    /// `max_batches` stops early (tests of resuming; `None` in real use).
    pub fn rescrub(
        &mut self,
        rules_version: &str,
        scrub: Scrubber,
        batch: usize,
        max_batches: Option<usize>,
        progress: &mut dyn FnMut(RescrubProgress),
    ) -> Result<RescrubReport> {
        let e = sql_err(&self.path);
        self.conn
            .pragma_update(None, "secure_delete", "ON")
            .map_err(&e)?;
        let mut report = RescrubReport::default();
        let mut batches = 0usize;
        let batch = batch.max(1);
        for (table, columns) in TABLES {
            let cursor: Option<(String, i64)> = self
                .conn
                .query_row(
                    "SELECT rules, last_id FROM rescrub_cursor WHERE tbl = ?1",
                    [table],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(&e)?;
            let mut last_id = match cursor {
                Some((rules, id)) if rules == rules_version => id,
                _ => 0,
            };
            let before: i64 = self
                .conn
                .query_row(
                    &format!("SELECT count(*) FROM {table} WHERE rowid <= ?1"),
                    [last_id],
                    |r| r.get(0),
                )
                .map_err(&e)?;
            report.resumed_after += before as u64;
            let total: i64 = self
                .conn
                .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
                .map_err(&e)?;
            let mut done = before as u64;
            let select = format!(
                "SELECT rowid, {} FROM {table} WHERE rowid > ?1 ORDER BY rowid LIMIT ?2",
                columns.join(", ")
            );
            loop {
                if max_batches.is_some_and(|m| batches >= m) {
                    return Ok(report);
                }
                let tx = self
                    .conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)
                    .map_err(&e)?;
                let rows: Vec<(i64, Vec<Option<Vec<u8>>>)> = {
                    let mut stmt = tx.prepare_cached(&select).map_err(&e)?;
                    let rows = stmt
                        .query_map(params![last_id, batch as i64], |r| {
                            let id: i64 = r.get(0)?;
                            let mut values = Vec::with_capacity(columns.len());
                            for i in 0..columns.len() {
                                values.push(column_bytes(r.get_ref(i + 1)?));
                            }
                            Ok((id, values))
                        })
                        .map_err(&e)?;
                    rows.collect::<std::result::Result<_, _>>().map_err(&e)?
                };
                if rows.is_empty() {
                    tx.commit().map_err(&e)?;
                    break;
                }
                for (id, values) in &rows {
                    let mut row_changed = false;
                    for (col, value) in columns.iter().zip(values) {
                        let Some(v) = value else { continue };
                        let Some(clean) = scrub(v) else { continue };
                        // Text stays text (scrubbing keeps UTF-8 valid); a
                        // BLOB column stays a BLOB.
                        let sql = format!("UPDATE {table} SET {col} = ?1 WHERE rowid = ?2");
                        match String::from_utf8(clean) {
                            Ok(text) if *col != "raw" => tx.execute(&sql, params![text, id]),
                            Ok(text) => tx.execute(&sql, params![text.into_bytes(), id]),
                            Err(bytes) => tx.execute(&sql, params![bytes.into_bytes(), id]),
                        }
                        .map_err(&e)?;
                        row_changed = true;
                    }
                    report.changed += u64::from(row_changed);
                }
                last_id = rows.last().map_or(last_id, |(id, _)| *id);
                tx.execute(
                    "INSERT INTO rescrub_cursor (tbl, rules, last_id) VALUES (?1, ?2, ?3)
                     ON CONFLICT(tbl) DO UPDATE SET rules = excluded.rules, last_id = excluded.last_id",
                    params![table, rules_version, last_id],
                )
                .map_err(&e)?;
                tx.commit().map_err(&e)?;
                batches += 1;
                report.scanned += rows.len() as u64;
                done += rows.len() as u64;
                progress(RescrubProgress {
                    table,
                    done,
                    total: total as u64,
                    changed: report.changed,
                });
            }
        }
        // The replaced values are zeroed in the pages (secure_delete); the
        // WAL still holds page images until it is checkpointed.
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(&e)?;
        report.complete = true;
        Ok(report)
    }
}

fn column_bytes(v: rusqlite::types::ValueRef) -> Option<Vec<u8>> {
    use rusqlite::types::ValueRef;
    match v {
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(t.to_vec()),
        _ => None,
    }
}
