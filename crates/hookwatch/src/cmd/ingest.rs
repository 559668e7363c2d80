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
    store
        .backfill_failures(10_000)
        .context("cannot analyse stored failures")?;
    Ok(store)
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
    store.backfill_failures(100_000)?;
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

/// One worker at a time (the lock), looping until the spool stays empty.
fn worker(paths: &Paths) -> Result<()> {
    std::fs::create_dir_all(&paths.data_dir)?;
    let lock = File::create(paths.worker_lock())?;
    if lock.try_lock().is_err() {
        return Ok(());
    }
    let log = |msg: String| {
        use std::io::Write;
        let path = paths.worker_log();
        // Bounded: start over past 1 MiB rather than grow forever.
        if std::fs::metadata(&path).is_ok_and(|m| m.len() > 1 << 20) {
            let _ = std::fs::remove_file(&path);
        }
        let msg = hookwatch_scrub::scrub_str(&msg).into_owned();
        if let Ok(mut f) = File::options().create(true).append(true).open(&path) {
            let _ = writeln!(
                f,
                "{} {}",
                crate::timefmt::rfc3339(crate::timefmt::now_us()),
                msg
            );
        }
    };
    let mut store = match Store::open(&paths.db()) {
        Ok(s) => s,
        Err(e) => {
            log(format!("error: {e}"));
            return Ok(());
        }
    };
    set_classifier(paths, &mut store);
    // Counters of sessions idle for two days are no longer needed for caps.
    for dir in ["failures", "budget", "allow-once"] {
        hookwatch_store::counter::prune(
            &paths.state().join(dir),
            std::time::Duration::from_secs(2 * 86400),
        );
    }
    for _ in 0..100 {
        match store.ingest(&paths.spool_dirs()) {
            // Only new rows mean more may be arriving; duplicates that cannot
            // be unlinked must not keep the worker spinning.
            Ok(r) if r.inserted == 0 => break,
            Ok(_) => {}
            Err(e) => {
                log(format!("error: {e}"));
                break;
            }
        }
    }
    Ok(())
}

/// Start `hookwatch ingest --background` fully detached: its own session,
/// all stdio on /dev/null (the agent waits for EOF on the hook's stdout),
/// not waited for. Skipped while a worker holds the lock.
pub fn spawn_background_worker(paths: &Paths) {
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};
    if let Ok(lock) = File::options().read(true).open(paths.worker_lock()) {
        if lock.try_lock().is_err() {
            return;
        }
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let mut cmd = Command::new(exe);
    cmd.args(["ingest", "--background"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            // The hook ignores these for its own bounded work; ignored
            // dispositions survive exec, and the worker must stay killable.
            for sig in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP, libc::SIGXFSZ] {
                libc::signal(sig, libc::SIG_DFL);
            }
            Ok(())
        });
    }
    let _ = cmd.spawn();
}
