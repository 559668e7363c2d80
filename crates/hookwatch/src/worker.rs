//! The worker: moves the spool into SQLite and, when alerting is on, routes,
//! flushes and delivers the outbox; deletes events past `[store] retention`.
//! One at a time (a lock file). Three ways to run it:
//!
//! - started by the hook, detached (`ingest --background`): stays while work
//!   is due within `alerts.delivery.linger`, then leaves a marker whose
//!   mtime says when the rest is due; the next hook past that time starts a
//!   worker again;
//! - `hookwatch drain`: the same in the foreground, now (`--wait`: until the
//!   outbox is empty);
//! - `hookwatch daemon`: never exits, for machines where no hook may fire
//!   for hours (retries, long group intervals).

use crate::alerting::{self, Alerting};
use crate::paths::Paths;
use hookwatch_store::Store;
use std::fs::File;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Started by the hook: leave if another worker runs.
    Background,
    /// `hookwatch drain`: wait for the lock, deliver what is due, exit.
    Drain { wait: bool },
    /// `hookwatch daemon`.
    Daemon,
}

/// What one pass of the loop did (`drain --json`).
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct Totals {
    pub ingested: usize,
    pub alerts: usize,
    pub notifications: usize,
    pub sent: usize,
    pub retried: usize,
    pub dead: usize,
    pub deferred: usize,
    pub resumes_scheduled: usize,
    /// Events deleted past `[store] retention`.
    pub pruned: u64,
    /// Attention notifications ([notify]) queued, and decided against.
    pub attention_sent: usize,
    pub attention_suppressed: usize,
    /// OpenTelemetry export ([otel]): requests made, and records, data
    /// points and spans the collector accepted.
    pub otel_requests: usize,
    pub otel_items: usize,
}

pub fn now_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

/// The worker log: scrubbed, bounded (starts over past 1 MiB).
pub fn log_line(paths: &Paths, msg: &str) {
    use std::io::Write;
    let path = paths.worker_log();
    if std::fs::metadata(&path).is_ok_and(|m| m.len() > 1 << 20) {
        let _ = std::fs::remove_file(&path);
    }
    let msg = hookwatch_scrub::scrub_str(msg).into_owned();
    if let Ok(mut f) = File::options().create(true).append(true).open(&path) {
        let _ = writeln!(
            f,
            "{} {}",
            crate::timefmt::rfc3339(crate::timefmt::now_us()),
            msg.replace('\n', " ")
        );
    }
}

pub fn run(paths: &Paths, mode: Mode, log: &dyn Fn(String)) -> anyhow::Result<Totals> {
    std::fs::create_dir_all(&paths.data_dir)?;
    let lock = File::create(paths.worker_lock())?;
    match mode {
        Mode::Background => {
            if lock.try_lock().is_err() {
                return Ok(Totals::default());
            }
        }
        _ => {
            if lock.try_lock().is_err() {
                log(
                    "a worker is already running (started by a hook); waiting for it to finish"
                        .into(),
                );
                lock.lock()?;
            }
        }
    }
    let config = crate::config::load(&paths.config_file)
        .map(|l| l.config)
        .unwrap_or_else(|e| {
            log(format!("config: {e}; alerting needs a valid config"));
            crate::config::load_lenient(&paths.config_file).0
        });
    let alerting = match Alerting::load(&config.alerts, &config.notify, &paths.config_file) {
        Ok(a) => a,
        Err(e) => {
            log(format!("alerting is off until the config is fixed: {e}"));
            None
        }
    };
    if let Some(a) = &alerting {
        for w in &a.warnings {
            log(format!("warning: {w}"));
        }
    }
    let notifier = match crate::notify::Notifier::load(&config.notify, &config.alerts) {
        Ok(n) => n,
        Err(e) => {
            log(format!(
                "notifications are off until the config is fixed: {e}"
            ));
            None
        }
    };
    let otel = match config.otel.resolve(&|k| std::env::var(k).ok()) {
        Ok(o) => o,
        Err(e) => {
            log(format!(
                "OpenTelemetry export is off until the config is fixed: {e}"
            ));
            None
        }
    };
    let mut store = crate::cmd::ingest::open_store(paths)?;
    // [otel] off: the cursors stay at the head, so turning export on later
    // never sends what happened meanwhile. A broken [otel] (a header's
    // variable missing in this shell) moves nothing: its events wait for
    // the config to be fixed. Signals left out of `signals` are moved by
    // the export pass.
    if !config.otel.active() {
        for signal in hookwatch_otel::Signal::ALL {
            if let Err(e) = store.export_to_head(signal.name(), now_us()) {
                log(format!("error: {e}"));
            }
        }
    }
    if notifier.is_none() {
        // [notify] off: nothing is waiting to be told, so turning it on
        // later never notifies what happened meanwhile.
        if let Err(e) = store.attention_to_head() {
            log(format!("error: {e}"));
        }
    }
    for dir in ["failures", "budget", "allow-once"] {
        hookwatch_store::counter::prune(&paths.state().join(dir), Duration::from_secs(2 * 86400));
    }
    if let Err(e) = store.prune_outbox(now_us() - 30 * 86_400_000_000) {
        log(format!("error: {e}"));
    }
    let recover = config.recover.active().then_some(&config.recover);
    let keep = hookwatch_store::retention::Keep {
        unrouted: alerting.as_ref().is_some_and(|a| a.routing),
        unseen_by_recovery: recover.is_some(),
        unseen_by_attention: notifier.is_some(),
        unexported: config.otel.active(),
    };
    let passes = Passes {
        alerting: alerting.as_ref(),
        notifier: notifier.as_ref(),
        recover,
        otel: otel.as_ref(),
        retention: crate::retention::Retention::new(&config.store, keep, log),
        linger: config.alerts.duration(&config.alerts.delivery.linger),
    };
    let mut totals = Totals::default();
    loop {
        let leftover = work(&mut store, paths, mode, &passes, log, &mut totals);
        // A hook writes its spool file, then looks for a running worker: if
        // it saw this one just before it let go, its event is in the spool
        // now (more records than the unreadable ones `work` left), or
        // another process already ingested it (a cursor is behind). Look
        // once more after letting go, so no event waits for the next hook.
        let _ = lock.unlock();
        if leftover == GAVE_UP {
            return Ok(totals);
        }
        let more = spool_records(paths) > leftover || passes.behind(&store);
        if !more || lock.try_lock().is_err() {
            return Ok(totals);
        }
    }
}

/// What the worker does besides ingesting, as configured.
struct Passes<'a> {
    alerting: Option<&'a Alerting>,
    notifier: Option<&'a crate::notify::Notifier>,
    recover: Option<&'a crate::config::RecoverConfig>,
    otel: Option<&'a hookwatch_otel::Settings>,
    retention: crate::retention::Retention,
    /// How long a worker started by a hook stays for work due soon (µs).
    linger: i64,
}

impl Passes<'_> {
    /// Has a pass that is on not looked at every stored event yet? (Export
    /// waiting for a retry is not behind: it has its due time.)
    fn behind(&self, store: &Store) -> bool {
        let routing = self.alerting.is_some_and(|a| a.routing);
        store
            .cursors_behind(routing, self.recover.is_some())
            .unwrap_or(false)
            || self.otel.is_some_and(|o| {
                let signals: Vec<&str> = o.signals().iter().map(|s| s.name()).collect();
                store.export_behind(&signals, now_us()).unwrap_or(false)
            })
            // The notify pass runs inside the delivery pass: without a
            // working [alerts]/targets config it cannot move its cursor.
            || (self.notifier.is_some()
                && self.alerting.is_some()
                && store.attention_behind().unwrap_or(false))
    }

    /// When the next export retry is due.
    fn next_export_due(&self, store: &Store) -> Option<i64> {
        let o = self.otel?;
        let signals: Vec<&str> = o.signals().iter().map(|s| s.name()).collect();
        store.next_export_due(&signals).unwrap_or(None)
    }

    /// When the next outbox row or held notification is due.
    fn next_due(&self, store: &Store) -> Option<i64> {
        let outbox = store.next_due().unwrap_or(None);
        let held = match self.notifier.filter(|_| self.alerting.is_some()) {
            Some(_) => store.next_attention_due().unwrap_or(None),
            None => None,
        };
        match (outbox, held) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// The loop under the lock, until nothing is due soon enough to wait for.
/// Returns how many records are still in the spool (unreadable ones) after
/// its last ingest.
fn work(
    store: &mut Store,
    paths: &Paths,
    mode: Mode,
    passes: &Passes<'_>,
    log: &dyn Fn(String),
    totals: &mut Totals,
) -> usize {
    let (alerting, recover) = (passes.alerting, passes.recover);
    // Before leaving: anything that arrived during the pass (or was
    // ingested by another process) is handled now, not left for a hook.
    let mut unsettled = 0;
    let mut settled = |store: &mut Store, totals: &mut Totals| -> bool {
        let n = ingest(store, paths, log);
        totals.ingested += n;
        let done = n == 0 && !passes.behind(store);
        // Bounded: hooks may keep writing; the next worker takes over.
        unsettled = if done { 0 } else { unsettled + 1 };
        done || unsettled > 50
    };
    let linger = passes.linger;
    let mut errors = 0;
    let mut last_prune = std::time::Instant::now();
    loop {
        totals.ingested += ingest(store, paths, log);
        // Every few minutes at most (a marker file), within a time budget:
        // a daemon prunes as it goes, other workers when they start.
        totals.pruned += passes.retention.run_if_due(store, paths, log);
        if let Some(r) = recover {
            match crate::recover::schedule::run(store, r, paths, now_us(), log) {
                Ok(n) => totals.resumes_scheduled += n,
                Err(e) => {
                    log(format!("recovery: {e}"));
                    errors += 1;
                    if errors >= 10 && mode != Mode::Daemon {
                        log("giving up after 10 errors in a row; the next hook or `hookwatch drain` retries".into());
                        return GAVE_UP;
                    }
                    std::thread::sleep(Duration::from_secs(1));
                }
            }
            // A give-up notice was spooled: ingest it now, so it is routed.
            totals.ingested += ingest(store, paths, log);
        }
        let mut failed = None;
        if let Some(a) = alerting {
            failed = pass(store, a, passes.notifier, log, totals).err();
        }
        if let Some(o) = passes.otel {
            // After recovery has looked: a StopFailure's record says what
            // recovery decided.
            let upto = match recover {
                Some(_) => store.recover_cursor().unwrap_or(0),
                None => i64::MAX,
            };
            let env = |k: &str| std::env::var(k).ok();
            match hookwatch_otel::pass::run(store, o, upto, &now_us, &env, log) {
                Ok(r) => {
                    totals.otel_requests += r.requests;
                    totals.otel_items += r.items;
                }
                Err(e) => failed = Some(format!("OpenTelemetry export: {e}")),
            }
        }
        if let Some(e) = failed {
            log(format!("error: {e}"));
            // Whatever failed is still due: do not retry it in a tight loop.
            errors += 1;
            if errors >= 10 && mode != Mode::Daemon {
                log("giving up after 10 errors in a row; the next hook or `hookwatch drain` retries".into());
                return GAVE_UP;
            }
            std::thread::sleep(Duration::from_secs(1));
        } else {
            errors = 0;
        }
        let now = now_us();
        let outbox_due = passes.next_due(store);
        let export_due = passes.next_export_due(store);
        let next = match (outbox_due, export_due) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let Some(next) = next else {
            clear_marker(paths);
            if mode == Mode::Daemon {
                std::thread::sleep(Duration::from_secs(1));
                continue;
            }
            if !settled(store, totals) {
                continue;
            }
            return spool_records(paths);
        };
        let wait = next - now;
        let stay = match mode {
            Mode::Daemon => true,
            // `drain --wait` waits for the outbox; a collector that is down
            // or slow does not hold it (export retries at its due time).
            Mode::Drain { wait: true } => outbox_due.is_some(),
            Mode::Drain { wait: false } => wait <= 0,
            Mode::Background => wait <= linger,
        };
        if !stay {
            if !settled(store, totals) {
                continue;
            }
            set_marker(paths, next);
            return spool_records(paths);
        }
        // Short naps: new events arriving in the spool are picked up within
        // a second even while waiting for a far-off retry; never none, so
        // work that is due but cannot be taken yet cannot make this spin.
        std::thread::sleep(Duration::from_micros(wait.clamp(10_000, 1_000_000) as u64));
        if mode == Mode::Daemon && last_prune.elapsed() > Duration::from_secs(3600) {
            if let Err(e) = store.prune_outbox(now_us() - 30 * 86_400_000_000) {
                log(format!("error: {e}"));
            }
            last_prune = std::time::Instant::now();
        }
    }
}

/// `work` stopped on repeated errors: do not go round again.
const GAVE_UP: usize = usize::MAX;

fn spool_records(paths: &Paths) -> usize {
    paths
        .spool_dirs()
        .iter()
        .map(|d| hookwatch_store::spool::pending(d).map_or(0, |f| f.len()))
        .sum()
}

/// Ingest until the spool stays empty (bounded: hooks may keep writing).
fn ingest(store: &mut Store, paths: &Paths, log: &dyn Fn(String)) -> usize {
    let mut n = 0;
    for _ in 0..100 {
        match store.ingest(&paths.spool_dirs()) {
            // Only new rows mean more may be arriving; duplicates that cannot
            // be unlinked must not keep the worker spinning.
            Ok(r) if r.inserted == 0 => break,
            Ok(r) => n += r.inserted,
            Err(e) => {
                log(format!("error: {e}"));
                break;
            }
        }
    }
    if let Err(e) = crate::cmd::ingest::analyse(store, 10_000) {
        log(format!("error: {e:#}"));
    }
    n
}

fn pass(
    store: &mut Store,
    a: &Alerting,
    notifier: Option<&crate::notify::Notifier>,
    log: &dyn Fn(String),
    t: &mut Totals,
) -> Result<(), String> {
    if a.routing {
        t.alerts += alerting::route::run(store, a, now_us())?;
        t.notifications += alerting::flush::run(store, a, now_us())?;
    }
    // After routing: a "failed" notification knows which targets the
    // alert already went to.
    if let Some(n) = notifier {
        let r = crate::notify::run(store, n, a, now_us())?;
        t.attention_sent += r.sent;
        t.attention_suppressed += r.suppressed;
    }
    let r = alerting::deliver::run(store, a, &now_us, log)?;
    t.sent += r.sent;
    t.retried += r.retried;
    t.dead += r.dead;
    t.deferred += r.deferred;
    Ok(())
}

fn set_marker(paths: &Paths, due_us: i64) {
    let path = paths.outbox_due();
    if let Ok(f) = File::create(&path) {
        let t = UNIX_EPOCH + Duration::from_micros(due_us.max(0) as u64);
        let _ = f.set_modified(t);
    }
}

fn clear_marker(paths: &Paths) {
    let _ = std::fs::remove_file(paths.outbox_due());
}

/// The hook's test: has work that a worker left for later come due?
pub fn marker_due(paths: &Paths) -> bool {
    std::fs::metadata(paths.outbox_due())
        .and_then(|m| m.modified())
        .is_ok_and(|t| t <= SystemTime::now())
}
