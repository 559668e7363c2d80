//! Delivering the outbox: claim due notifications with a lease, respect the
//! target's rate limit, send once, record the answer. Retryable failures
//! wait a full-jitter backoff (or what the target asked for); permanent ones
//! and those past their attempts or age go to dead-letter, and a target that
//! answers with a permanent error is reported as broken once, not per
//! notification.

use super::{stable_key, Alerting};
use hookwatch_sink::{Delivery, Notification, SendOptions};
use hookwatch_store::outbox::{NewNotification, NotificationRow};
use hookwatch_store::Store;
use std::time::Duration;

#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct Report {
    pub sent: usize,
    pub retried: usize,
    pub dead: usize,
    pub deferred: usize,
}

/// Deliver everything due now. `log` gets one line per notable outcome.
pub fn run(
    store: &mut Store,
    a: &Alerting,
    now: &dyn Fn() -> i64,
    log: &dyn Fn(String),
) -> Result<Report, String> {
    let lease = a.config.duration(&a.config.delivery.lease).max(1_000_000);
    let mut report = Report::default();
    loop {
        let rows = store
            .claim_due(now(), lease, 32)
            .map_err(|e| e.to_string())?;
        if rows.is_empty() {
            break;
        }
        for row in rows {
            attempt(store, a, row, now(), log, &mut report)?;
        }
    }
    Ok(report)
}

fn attempt(
    store: &mut Store,
    a: &Alerting,
    row: NotificationRow,
    now_us: i64,
    log: &dyn Fn(String),
    report: &mut Report,
) -> Result<(), String> {
    let e = |e: hookwatch_store::StoreError| e.to_string();
    let (target, limits) = match (a.targets.get(&row.target), a.config.limits(&row.target)) {
        (Some(Ok(t)), Ok(l)) => (t, l),
        (Some(Err(why)), _) => {
            let why = why.clone();
            return dead(store, a, &row, None, &why, now_us, log, report);
        }
        (_, Err(why)) => return dead(store, a, &row, None, &why, now_us, log, report),
        (None, Ok(_)) => {
            let why = format!("target {:?} is not configured", row.target);
            return dead(store, a, &row, None, &why, now_us, log, report);
        }
    };
    if now_us > row.deadline_us {
        let why = format!(
            "gave up: not delivered within max_age ({} attempt(s)); last error: {}",
            row.attempts - 1,
            row.last_error.as_deref().unwrap_or("none")
        );
        return dead(store, a, &row, None, &why, now_us, log, report);
    }
    if let Some(rl) = limits.rate_limit {
        let sent = store
            .sent_times(&row.target, now_us - rl.window_us)
            .map_err(e)?;
        if let Some(at) = rl.next_allowed(&sent, now_us) {
            store.defer(row.id, at).map_err(e)?;
            report.deferred += 1;
            return Ok(());
        }
    }
    let mut n: Notification = match serde_json::from_str(&row.body) {
        Ok(n) => n,
        Err(err) => {
            let why = format!("stored notification unreadable: {err}");
            return dead(store, a, &row, None, &why, now_us, log, report);
        }
    };
    n.id = row.id;
    let opts = SendOptions {
        timeout: Duration::from_micros(limits.timeout_us as u64),
        attempt: row.attempts.max(1) as u32,
        now_unix_s: now_us / 1_000_000,
    };
    match hookwatch_sink::send(target, &n, &opts) {
        Delivery::Delivered { status, answer } => {
            store
                .mark_sent(row.id, now_us, status, &answer)
                .map_err(e)?;
            report.sent += 1;
        }
        Delivery::Retry {
            status,
            error,
            after,
        } => {
            let attempts = row.attempts.max(1) as u32;
            let wait = hookwatch_sink::backoff(
                attempts,
                Duration::from_micros(limits.backoff_base_us as u64),
                Duration::from_micros(limits.backoff_cap_us as u64),
                fastrand::f64(),
            )
            .max(after.unwrap_or_default());
            let next = now_us + wait.as_micros() as i64;
            if attempts >= limits.max_attempts || next > row.deadline_us {
                let why = format!("gave up after {attempts} attempt(s): {error}");
                return dead(store, a, &row, status, &why, now_us, log, report);
            }
            store.mark_retry(row.id, next, status, &error).map_err(e)?;
            report.retried += 1;
        }
        Delivery::Permanent { status, error } => {
            return dead(store, a, &row, status, &error, now_us, log, report);
        }
    }
    Ok(())
}

/// Dead-letter the row. A permanent answer (not an exhausted retry) means
/// the target itself is broken: report that once, until it works again.
#[allow(clippy::too_many_arguments)]
fn dead(
    store: &mut Store,
    a: &Alerting,
    row: &NotificationRow,
    status: Option<u16>,
    why: &str,
    now_us: i64,
    log: &dyn Fn(String),
    report: &mut Report,
) -> Result<(), String> {
    let e = |e: hookwatch_store::StoreError| e.to_string();
    store.mark_dead(row.id, status, why).map_err(e)?;
    report.dead += 1;
    log(format!(
        "notification {} to {} dead-lettered: {why} (`hookwatch alerts retry {}` once fixed)",
        row.id, row.target, row.id
    ));
    let permanent = !why.starts_with("gave up");
    if permanent
        && row.kind != "report"
        && store
            .mark_target_broken(&row.target, why, now_us)
            .map_err(e)?
    {
        log(format!("alert target {} is broken: {why}", row.target));
        for to in a
            .config
            .report_broken_to
            .iter()
            .filter(|t| **t != row.target)
        {
            let mut body = Notification {
                title: format!("hookwatch: alert target {:?} is broken", row.target),
                severity: hookwatch_sink::Severity::Error,
                created_us: now_us,
                route: "hookwatch".into(),
                ..Notification::default()
            };
            body.alerts.push(hookwatch_sink::AlertItem {
                event: "TargetBroken".into(),
                error: Some(format!(
                    "{why}. Notifications to {} are dead-lettered until it works again; fix its config, then `hookwatch alerts test {}` and `hookwatch alerts retry --dead`.",
                    row.target, row.target
                )),
                severity: hookwatch_sink::Severity::Error,
                count: 1,
                ..Default::default()
            });
            let key = stable_key("hwb", &[&row.target, to, &now_us.to_string()]);
            body.key = key.clone();
            let deadline = a
                .config
                .limits(to)
                .map(|l| l.max_age_us)
                .unwrap_or(86_400_000_000);
            store
                .enqueue(
                    &NewNotification {
                        target: to.clone(),
                        group_key: format!("broken:{}", row.target),
                        key,
                        kind: "report".into(),
                        body: serde_json::to_string(&body).unwrap_or_default(),
                        deadline_us: now_us + deadline,
                        alert_ids: Vec::new(),
                        fingerprints: Vec::new(),
                    },
                    now_us,
                )
                .map_err(e)?;
        }
    }
    Ok(())
}
