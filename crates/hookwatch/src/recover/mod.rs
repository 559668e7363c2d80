//! StopFailure recovery. Claude Code ignores StopFailure output, so nothing
//! here runs on the hook's path: the worker decides about each StopFailure
//! once (`schedule`), a detached runner per job waits out the backoff or the
//! reset time and resumes the session (`runner`), and `hookwatch run`
//! supervises an unattended job in the foreground (`supervise`).
//! `diagnosis` is the record `hookwatch show` prints and alerts carry.

pub mod diagnosis;
pub mod runner;
pub mod schedule;
pub mod supervise;

use crate::config::RecoverConfig;
use hookwatch_store::EventRow;

/// What a StopFailure's payload says in words (error_details first).
pub fn texts(row: &EventRow) -> Vec<String> {
    let payload: serde_json::Value = row
        .payload
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or_default();
    ["error_details", "last_assistant_message"]
        .iter()
        .filter_map(|k| payload.get(*k).and_then(|v| v.as_str()))
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The class and severity of a StopFailure, as stored on its row.
pub fn class_of(row: &EventRow) -> (String, String) {
    let t = texts(row);
    let refs: Vec<&str> = t.iter().map(String::as_str).collect();
    let kind = hookwatch_recover::classify_text(row.error.as_deref().unwrap_or("unknown"), &refs);
    (kind.as_str().to_string(), kind.severity().to_string())
}

pub fn payload_str(row: &EventRow, key: &str) -> Option<String> {
    row.payload
        .as_deref()
        .and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok())
        .and_then(|v| v.get(key).and_then(|x| x.as_str()).map(str::to_string))
}

fn dur(s: &str, dflt: i64) -> i64 {
    hookwatch_alert::duration::parse(s).unwrap_or(dflt)
}

/// When to resume and why then: the reset time the message gave (plus a
/// margin), else a full-jitter exponential backoff.
/// A time of day without a date is read relative to `failure_us`, when the
/// message was written.
pub fn due(
    cfg: &RecoverConfig,
    texts: &[String],
    attempt: u32,
    failure_us: i64,
    now_us: i64,
) -> (i64, String) {
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    if let Some(h) = hookwatch_recover::parse_hint(&refs, failure_us / 1_000_000) {
        let at = h.reset_at_unix_s * 1_000_000 + dur(&cfg.reset_margin, 15_000_000);
        if at > now_us {
            return (
                at,
                format!(
                    "until {} (the message said: {:?})",
                    crate::timefmt::rfc3339(at),
                    h.source
                ),
            );
        }
    }
    let wait = hookwatch_sink::backoff(
        attempt.max(1),
        std::time::Duration::from_micros(dur(&cfg.backoff_base, 30_000_000).max(0) as u64),
        std::time::Duration::from_micros(dur(&cfg.backoff_cap, 1_800_000_000).max(0) as u64),
        fastrand::f64(),
    );
    let wait_us = wait.as_micros() as i64;
    (
        now_us + wait_us,
        format!(
            "backoff {} (attempt {attempt}, no reset time in the message)",
            hookwatch_alert::duration::human(wait_us)
        ),
    )
}

pub fn continue_prompt(cfg: &RecoverConfig, error_type: &str) -> String {
    cfg.continue_prompt.replace("{error}", error_type)
}

/// Write a hookwatch event into the spool, as a hook would: the give-up
/// notice then travels like any event (stored, routed to alert targets).
pub fn spool_event(
    paths: &crate::paths::Paths,
    payload: &serde_json::Value,
    project: Option<&str>,
) -> Result<(), String> {
    use hookwatch_store::spool::{self, Header};
    let now = crate::worker::now_us();
    let bytes = hookwatch_scrub::scrub(payload.to_string().as_bytes()).into_owned();
    let header = Header {
        v: spool::FORMAT_VERSION,
        id: spool::new_id(now, (now % 1_000_000_000) as u32),
        time_us: now,
        len: bytes.len() as u64,
        original_size: bytes.len() as u64,
        project_dir: project.map(str::to_string),
        ..Header::default()
    };
    spool::write(&paths.spool(), &header, &bytes, false)
        .map(|_| ())
        .map_err(|e| e.to_string())
}
