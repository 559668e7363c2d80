//! `[store] retention` in the worker: at most every 5 minutes, events older
//! than the retention are deleted in small batches (`hookwatch_store::
//! retention`, which says what is kept whatever its age), within a time
//! budget so that delivery and ingestion wait little; what is left, the next
//! worker takes. Never in the hook, and never a full VACUUM (only `hookwatch
//! prune --vacuum` rewrites the database).

use crate::paths::Paths;
use hookwatch_store::retention::{Keep, PruneOptions};
use hookwatch_store::Store;
use std::time::{Duration, SystemTime};

/// How often the worker looks for events past the retention.
const INTERVAL: Duration = Duration::from_secs(300);

/// Longest a worker spends pruning per run.
const BUDGET: Duration = Duration::from_secs(2);

pub struct Retention {
    /// The configured text (for the log) and its length in microseconds.
    age: Option<(String, i64)>,
    keep: Keep,
}

impl Retention {
    /// `keep`: which passes are on, so their unseen events stay.
    pub fn new(config: &crate::config::StoreConfig, keep: Keep, log: &dyn Fn(String)) -> Retention {
        // A config that failed to load strictly falls back to the defaults
        // (keep everything), so an error here is only a safety net.
        let age = match config.retention_us() {
            Ok(us) => us.map(|us| (config.retention.clone().unwrap_or_default(), us)),
            Err(e) => {
                log(format!("{e}; no event is deleted until it is fixed"));
                None
            }
        };
        Retention { age, keep }
    }

    /// Delete what is past the retention, if it is time; returns how many
    /// events went.
    pub fn run_if_due(&self, store: &mut Store, paths: &Paths, log: &dyn Fn(String)) -> u64 {
        let Some((text, age_us)) = &self.age else {
            return 0;
        };
        if !due(paths) {
            return 0;
        }
        let before = crate::worker::now_us() - age_us;
        let opts = PruneOptions {
            budget: Some(BUDGET),
            ..Default::default()
        };
        match store.prune_events(before, self.keep, opts, &mut |_| {}) {
            Ok(r) => {
                if r.deleted > 0 || r.freed_bytes > 0 {
                    log(format!(
                        "retention {text}: deleted {} event(s) from before {} in {} batch(es), \
                         {} bytes given back{}",
                        r.deleted,
                        crate::timefmt::rfc3339(before),
                        r.batches,
                        r.freed_bytes,
                        if r.complete {
                            ""
                        } else {
                            "; the rest next time"
                        }
                    ));
                }
                // Unfinished: the next worker goes on at once.
                if r.complete {
                    mark_done(paths);
                }
                r.deleted
            }
            Err(e) => {
                log(format!("retention: {e}"));
                0
            }
        }
    }
}

/// Has `INTERVAL` passed since the last complete run? (A marker file's
/// mtime; one in the future, after a clock change, counts as due.)
fn due(paths: &Paths) -> bool {
    match std::fs::metadata(paths.prune_marker()).and_then(|m| m.modified()) {
        Ok(t) => SystemTime::now()
            .duration_since(t)
            .map_or(true, |age| age >= INTERVAL),
        Err(_) => true,
    }
}

fn mark_done(paths: &Paths) {
    if let Ok(f) = std::fs::File::create(paths.prune_marker()) {
        let _ = f.set_modified(SystemTime::now());
    }
}
