//! The worker's export pass: for each signal, the next batch after its
//! cursor is built, sent, and the cursor moved in the transaction that
//! records it accepted. A collector that fails holds the cursor (retry with
//! backoff, or its Retry-After); nothing is skipped except over
//! `max_queue` (counted as dropped) or what the collector itself refused
//! (counted as rejected). Batches go in event order, so each session's
//! records arrive in order.

use crate::config::{Settings, Signal};
use crate::metrics::{self, Increments, Window};
use crate::resource::{self, Resources};
use crate::wire::{self, Answer};
use crate::{logs, traces};
use hookwatch_store::export::ExportCommit;
use hookwatch_store::Store;
use std::time::Duration;

/// Requests per signal and pass, so one pass cannot hold the worker for
/// long; the worker comes back while the cursor is behind.
const MAX_REQUESTS: usize = 20;

/// Without new events, alerts and recovery windows are sent at most this
/// often.
const METRICS_IDLE_US: i64 = 60_000_000;

/// Alerts and recovery rows are counted in windows that close this long
/// before now: another process (a recovery runner) may commit a row whose
/// time it took before waiting for the database lock.
const WINDOW_MARGIN_US: i64 = 30_000_000;

#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct Report {
    pub requests: usize,
    /// Records, data points or spans accepted.
    pub items: usize,
    pub rejected: i64,
    pub retries: usize,
    pub dropped: i64,
}

/// Where the pass may go: events up to `upto` (a pass that must see an
/// event first, recovery, has seen it).
pub fn run(
    store: &mut Store,
    settings: &Settings,
    upto: i64,
    now_us: &dyn Fn() -> i64,
    env: &dyn Fn(&str) -> Option<String>,
    log: &dyn Fn(String),
) -> Result<Report, String> {
    let e = |e: hookwatch_store::StoreError| e.to_string();
    let mut resources = Resources::new(
        resource::machine(&settings.service_name, env),
        settings.resource.clone(),
    );
    let mut report = Report::default();
    // Signals not exported stay at the newest event, so retention is not
    // held back by them (a daemon runs for days).
    for signal in Signal::ALL {
        if settings.endpoint(signal).is_none() {
            store.export_to_head(signal.name(), now_us()).map_err(e)?;
        }
    }
    for endpoint in &settings.endpoints {
        let signal = endpoint.signal;
        let name = signal.name();
        // Halved on a 413 until the collector takes the batch.
        let mut limit = settings.batch;
        let dropped = store
            .export_drop_over(name, settings.max_queue)
            .map_err(e)?;
        if dropped > 0 {
            log(format!(
                "otel {name}: {dropped} events dropped: more than max_queue ({}) were waiting",
                settings.max_queue
            ));
            report.dropped += dropped;
        }
        for _ in 0..MAX_REQUESTS {
            let now = now_us();
            let (attempts, next_attempt, started, window_end) =
                store.export_attempts(name).map_err(e)?;
            if next_attempt.is_some_and(|t| t > now) {
                break;
            }
            let (cursor, rows) = store.unexported(name, limit, upto).map_err(e)?;
            let to = rows.last().map_or(cursor, |r| r.id);
            let (body, items, totals, window) = match signal {
                Signal::Logs => {
                    let (req, n) = logs::build(&rows, settings, &mut resources, store, now);
                    (wire::encode(&req, endpoint.protocol), n, Vec::new(), None)
                }
                Signal::Traces => {
                    let (req, n) = traces::build(&rows, settings, &mut resources, store);
                    (wire::encode(&req, endpoint.protocol), n, Vec::new(), None)
                }
                Signal::Metrics => {
                    let keep = |k: &str| settings.keeps_attribute(k);
                    let mut inc = Increments::default();
                    inc.events(&rows, &keep);
                    if rows.is_empty() && now - window_end < METRICS_IDLE_US {
                        break;
                    }
                    let window_to = (now - WINDOW_MARGIN_US).max(window_end);
                    inc.alerts(
                        &store
                            .alert_counts_between(window_end, window_to)
                            .map_err(e)?,
                        &keep,
                    );
                    let (decisions, outcomes) = store
                        .recover_counts_between(window_end, window_to)
                        .map_err(e)?;
                    inc.recovery(&decisions, &outcomes, &keep);
                    if rows.is_empty() && inc.is_empty() {
                        // Nothing happened: the window moves on unsent.
                        store
                            .commit_export(&ExportCommit {
                                signal: name,
                                from: cursor,
                                to,
                                now_us: now,
                                window_end_us: Some(window_to),
                                ..Default::default()
                            })
                            .map_err(e)?;
                        break;
                    }
                    let totals = store.metric_totals().map_err(e)?;
                    let window = Window {
                        started_us: started,
                        from_us: window_end,
                        to_us: now,
                    };
                    let (req, n, new_totals) =
                        metrics::build(&inc, &totals, settings, &mut resources, window);
                    (
                        wire::encode(&req, endpoint.protocol),
                        n,
                        new_totals,
                        Some(window_to),
                    )
                }
            };
            if rows.is_empty() && signal != Signal::Metrics {
                break;
            }
            if items == 0 {
                // Nothing in these events for this signal: move on unsent.
                store
                    .commit_export(&ExportCommit {
                        signal: name,
                        from: cursor,
                        to,
                        now_us: now,
                        window_end_us: window,
                        totals: &totals,
                        ..Default::default()
                    })
                    .map_err(e)?;
                if rows.len() < settings.batch {
                    break;
                }
                continue;
            }
            report.requests += 1;
            let answer = wire::post(endpoint, &body, now / 1_000_000);
            let now = now_us();
            match answer {
                Answer::Accepted {
                    rejected, message, ..
                } => {
                    let rejected = rejected.clamp(0, items as i64);
                    if let Some(m) = &message {
                        log(format!(
                            "otel {name}: the collector refused {rejected} of {items}: {m}"
                        ));
                    }
                    store
                        .commit_export(&ExportCommit {
                            signal: name,
                            from: cursor,
                            to,
                            now_us: now,
                            items: items as i64 - rejected,
                            rejected,
                            message,
                            window_end_us: window,
                            totals: &totals,
                        })
                        .map_err(e)?;
                    report.items += items - rejected as usize;
                    report.rejected += rejected;
                    limit = settings.batch;
                }
                // Try the same batch again later: soon for a busy or absent
                // collector, slowly for a wrong address or credentials (the
                // events are kept either way).
                Answer::Retry { .. } | Answer::Misconfigured { .. } => {
                    let (status, after, error, base, cap, hint) = match answer {
                        Answer::Retry { status, after, error } => {
                            (status, after, error, 1, 300, "")
                        }
                        Answer::Misconfigured { status, error } => (
                            Some(status),
                            None,
                            error,
                            30,
                            1800,
                            "; check [otel] endpoint and headers (`hookwatch otel test`); events are kept",
                        ),
                        _ => unreachable!("matched above"),
                    };
                    let wait = retry_wait(
                        attempts + 1,
                        after,
                        Duration::from_secs(base),
                        Duration::from_secs(cap),
                    );
                    log(format!(
                        "otel {name}: {error}{hint}; retrying in {}",
                        hookwatch_sink::duration_text(wait.as_millis() as i64)
                    ));
                    store
                        .export_failed(name, status, &error, now, now + wait.as_micros() as i64)
                        .map_err(e)?;
                    report.retries += 1;
                    break;
                }
                Answer::Refused { status: 413, .. } if rows.len() > 1 => {
                    // Too large: the same events in smaller requests.
                    limit = (rows.len() / 2).max(1);
                    log(format!(
                        "otel {name}: the collector said the request was too large; sending {limit} events per request"
                    ));
                    continue;
                }
                Answer::Refused { status, error } => {
                    log(format!(
                        "otel {name}: {error}; {items} items refused for good and skipped"
                    ));
                    store
                        .export_rejected(
                            &ExportCommit {
                                signal: name,
                                from: cursor,
                                to,
                                now_us: now,
                                rejected: items as i64,
                                message: Some(error),
                                ..Default::default()
                            },
                            Some(status),
                        )
                        .map_err(e)?;
                    report.rejected += items as i64;
                }
            }
            if rows.len() < settings.batch {
                break;
            }
        }
    }
    Ok(report)
}

/// The collector's Retry-After when it gave one, else full-jitter backoff.
fn retry_wait(attempt: i64, after: Option<Duration>, base: Duration, cap: Duration) -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let rand01 = (nanos % 1000) as f64 / 1000.0;
    let b = hookwatch_sink::backoff(attempt.clamp(1, 64) as u32, base, cap, rand01).max(base / 2);
    match after {
        Some(a) => a
            .max(Duration::from_millis(100))
            .min(Duration::from_secs(3600)),
        None => b,
    }
}
