//! Moving the spool into SQLite: on demand before every query, and in a
//! detached background worker the hook starts at turn and session ends.

use crate::paths::Paths;
use anyhow::{Context, Result};
use hookwatch_store::Store;
use std::fs::File;

/// Open the database and ingest everything spooled, so a query sees every
/// event recorded so far.
pub fn open_fresh(paths: &Paths) -> Result<Store> {
    let db = paths.db();
    let mut store = Store::open(&db).with_context(|| {
        format!(
            "cannot open the database; if it is damaged, move it aside (mv {0} {0}.broken): \
             spooled events wait in {1} and go into a fresh database",
            db.display(),
            paths.spool().display()
        )
    })?;
    set_classifier(paths, &mut store);
    store
        .ingest(&paths.spool_dirs())
        .context("cannot move spooled events into the database")?;
    analyse(&mut store, 10_000)?;
    Ok(store)
}

/// What the hook did not conclude itself is concluded at ingestion, the
/// same way everywhere (queries, `ingest`, the worker): failures recorded
/// without analysis (older hookwatch, rebuilt, rescued) and StopFailure
/// classes, at most `limit` of each per call.
pub fn analyse(store: &mut Store, limit: usize) -> Result<()> {
    store
        .backfill_failures(limit)
        .context("cannot analyse stored failures")?;
    store
        .classify_stop_failures(&crate::recover::class_of, limit)
        .context("cannot classify stored StopFailures")?;
    Ok(())
}

/// Failures the hook did not analyse (recorded by an older hookwatch,
/// rebuilt or rescued) are analysed at ingestion with the same rules.
fn set_classifier(paths: &Paths, store: &mut Store) {
    let config = crate::config::load(&paths.config_file)
        .map(|l| l.config)
        .unwrap_or_default();
    let rules = crate::advice::rules(&config.failure, &mut Vec::new());
    store.set_classifier(Box::new(move |ev, project| {
        let (v, mcp, _) = crate::advice::classify(&rules, ev, project);
        Some(crate::advice::outcome_of(&v, mcp))
    }));
}

pub fn run(background: bool, json: bool) -> Result<()> {
    let paths = Paths::resolve();
    if background {
        return worker(&paths);
    }
    let mut store = Store::open(&paths.db())?;
    set_classifier(&paths, &mut store);
    let report = store.ingest(&paths.spool_dirs())?;
    analyse(&mut store, 100_000)?;
    if json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!(
            "ingested {} event(s), {} already stored, {} unreadable",
            report.inserted, report.duplicates, report.unreadable
        );
    }
    Ok(())
}

/// The worker the hook starts: ingest, and deliver alerts when they are on
/// (see `crate::worker`). Errors go to the worker log: nobody reads stderr.
fn worker(paths: &Paths) -> Result<()> {
    let log = |msg: String| crate::worker::log_line(paths, &msg);
    if let Err(e) = crate::worker::run(paths, crate::worker::Mode::Background, &log) {
        log(format!("error: {e:#}"));
    }
    Ok(())
}

/// Open the database with the failure classifier set, nothing ingested.
pub fn open_store(paths: &Paths) -> Result<Store> {
    let mut store = Store::open(&paths.db())?;
    set_classifier(paths, &mut store);
    Ok(store)
}

/// Start `hookwatch ingest --background` fully detached. Skipped while a
/// worker holds the lock.
pub fn spawn_background_worker(paths: &Paths) {
    if let Ok(lock) = File::options().read(true).open(paths.worker_lock()) {
        if lock.try_lock().is_err() {
            return;
        }
    }
    let _ = spawn_detached(&["ingest", "--background"]);
}

/// Run this binary with `args` fully detached: its own session, all stdio
/// on /dev/null (the agent waits for EOF on the hook's stdout), not waited
/// for, with default signal dispositions.
///
/// No `pre_exec`: without one, std spawns with posix_spawn (vfork), where a
/// `fork` would copy the hook's page tables and make its last writes
/// copy-on-write faults (~0.3 ms of every StopFailure hook, BENCHMARKS.md).
/// The child detaches itself instead, at the top of `main` (`detach_self`),
/// told by `DETACH_ENV`; until then it keeps the hook's ignored SIGTERM.
pub fn spawn_detached(args: &[&str]) -> Option<u32> {
    use std::process::{Command, Stdio};
    let exe = std::env::current_exe().ok()?;
    let mut cmd = Command::new(exe);
    // Marks of one supervised run or resume must not stick to the worker,
    // which serves every session.
    cmd.args(args)
        .env_remove("HOOKWATCH_RUN")
        .env_remove("HOOKWATCH_RESUME_JOB")
        .env(DETACH_ENV, "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd.spawn().ok().map(|c| c.id())
}

/// Set by `spawn_detached` for the child; read and removed by `detach_self`.
pub const DETACH_ENV: &str = "HOOKWATCH_DETACHED";

/// In a process `spawn_detached` started: leave the hook's session (signals
/// to its process group, a closed terminal) and restore the signals the
/// hook ignores for its own bounded work, so the worker stays killable.
/// Run at the top of `main`, before the command line is parsed.
pub fn detach_self() {
    if std::env::var_os(DETACH_ENV).is_none() {
        return;
    }
    // Single-threaded here, at the top of main: nothing else reads the env.
    std::env::remove_var(DETACH_ENV);
    unsafe {
        libc::setsid();
        for sig in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP, libc::SIGXFSZ] {
            libc::signal(sig, libc::SIG_DFL);
        }
    }
}
