//! `hookwatch prune`: delete events older than a date or an age now, in the
//! worker's batches (`hookwatch_store::retention` says what is kept
//! whatever its age); `--dry-run` counts instead; `--vacuum` rewrites the
//! database once so that its file shrinks, now and after every later prune.

use crate::cmd::ingest::open_fresh;
use crate::paths::Paths;
use crate::timefmt::{now_us, parse_time, rfc3339};
use anyhow::{anyhow, bail, Result};
use hookwatch_store::retention::{AutoVacuum, Keep, PruneOptions, PruneReport};
use serde_json::json;

pub struct Args<'a> {
    pub before: Option<&'a str>,
    pub dry_run: bool,
    pub vacuum: bool,
    pub json: bool,
}

pub fn run(a: &Args) -> Result<()> {
    let paths = Paths::resolve();
    let config = super::load_config(&paths)?;
    let now = now_us();
    let before_us = match a.before {
        Some(b) => Some(parse_time(b, now).map_err(|e| anyhow!("--before: {e}"))?),
        None => config
            .store
            .retention_us()
            .map_err(|e| anyhow!(e))?
            .map(|age| now - age),
    };
    if before_us.is_none() && !a.vacuum {
        bail!(
            "say which events to delete: --before 90d (an age) or --before 2026-09-01 \
             (a date), or set `retention` under [store] in {}",
            paths.config_file.display()
        );
    }
    if let Some(b) = before_us.filter(|b| *b > now) {
        bail!(
            "--before {} is in the future ({}): that would delete every event; give a past \
             date or an age such as 90d",
            a.before.unwrap_or_default(),
            rfc3339(b)
        );
    }
    // Spooled events first: old ones waiting there are pruned too.
    let mut store = open_fresh(&paths)?;
    // As the worker does: what a pass that is switched on has not seen stays.
    let keep = Keep {
        unrouted: config.alerts.active(),
        unseen_by_recovery: config.recover.active(),
        unseen_by_attention: config.notify.active(),
        unexported: config.otel.active(),
    };
    let mode = store.auto_vacuum()?;
    if a.dry_run {
        let before = before_us.expect("checked above: no --vacuum with --dry-run");
        let p = store.prune_preview(before, keep)?;
        if a.json {
            println!(
                "{}",
                json!({
                    "dry_run": true,
                    "before": rfc3339(before),
                    "events": p.events,
                    "by_event": p.by_event,
                    "kept": p.kept,
                    "auto_vacuum": mode,
                    "database_bytes": store.file_bytes()?,
                })
            );
            return Ok(());
        }
        println!(
            "would delete {} event(s) from before {} (nothing deleted: --dry-run)",
            p.events,
            rfc3339(before)
        );
        for c in &p.by_event {
            let kind = if c.key.is_empty() { "?" } else { &c.key };
            println!("  {kind:<24} {:>9}", c.count);
        }
        if p.kept > 0 {
            println!("{}", kept_line(p.kept));
        }
        return Ok(());
    }
    let mut report = PruneReport {
        complete: true,
        ..Default::default()
    };
    if let Some(before) = before_us {
        let mut line = crate::progress::Progress::new();
        report = store.prune_events(before, keep, PruneOptions::default(), &mut |r| {
            line.update(|| format!("prune: {} event(s) deleted", r.deleted));
        })?;
        line.finish();
    }
    let mut vacuumed_bytes = 0;
    if a.vacuum {
        vacuumed_bytes = vacuum(&mut store, &paths)?;
    }
    let mode = store.auto_vacuum()?;
    if a.json {
        println!(
            "{}",
            json!({
                "dry_run": false,
                "before": before_us.map(rfc3339),
                "deleted": report.deleted,
                "batches": report.batches,
                "complete": report.complete,
                "freed_bytes": report.freed_bytes + vacuumed_bytes,
                "vacuumed": a.vacuum,
                "auto_vacuum": mode,
                "database_bytes": store.file_bytes()?,
            })
        );
        return Ok(());
    }
    if let Some(before) = before_us {
        println!(
            "deleted {} event(s) from before {} in {} batch(es)",
            report.deleted,
            rfc3339(before),
            report.batches
        );
        let p = store.prune_preview(before, keep)?;
        if p.kept > 0 {
            println!("{}", kept_line(p.kept));
        }
    }
    if a.vacuum {
        println!(
            "rewrote the database in incremental auto-vacuum mode: {} now",
            size(store.file_bytes()?)
        );
    }
    let freed = report.freed_bytes + vacuumed_bytes;
    if freed > 0 {
        println!("the database file is {} smaller", size(freed));
    }
    if mode != AutoVacuum::Incremental && report.deleted > 0 {
        println!(
            "the freed space is reused for new events, but the file keeps its size: \
             `hookwatch prune --vacuum` once switches this database to incremental auto-vacuum"
        );
    }
    Ok(())
}

fn kept_line(n: i64) -> String {
    format!(
        "{n} older event(s) kept: the newest event, events alerting or recovery has not \
         looked at yet, the events of pending alerts and of sessions being resumed"
    )
}

/// VACUUM into incremental mode; returns how much smaller the file got.
/// Refused up front when the disk cannot hold a second copy.
fn vacuum(store: &mut hookwatch_store::Store, paths: &Paths) -> Result<u64> {
    let bytes = store.file_bytes()?;
    if let Some(free) = free_bytes(&paths.data_dir) {
        if free < bytes {
            bail!(
                "--vacuum rewrites the database and needs about {} free on the disk of {}; \
                 {} is free: make room, or prune without --vacuum (the space is still reused)",
                size(bytes),
                paths.data_dir.display(),
                size(free)
            );
        }
    }
    eprintln!(
        "hookwatch: rewriting {} ({}); this can take a while, hooks keep recording meanwhile",
        store.path().display(),
        size(bytes)
    );
    store.vacuum_into_incremental()?;
    Ok(bytes.saturating_sub(store.file_bytes()?))
}

fn free_bytes(dir: &std::path::Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: a valid NUL-terminated path and a statvfs to fill.
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return None;
    }
    Some(st.f_bavail as u64 * st.f_frsize as u64)
}

fn size(bytes: u64) -> String {
    if bytes < 1 << 20 {
        format!("{:.0} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    }
}
