//! Alert targets ("sinks"). A [`Notification`] is what the outbox decided to
//! tell people; this crate turns it into each target's documented wire
//! format and delivers it once, reporting what the target answered as a
//! [`Delivery`]. Retrying, leases and dead-lettering are the outbox's job
//! (the worker in the `hookwatch` crate): `send` never retries and never
//! sleeps beyond its timeout.
//!
//! INTERFACE CONTRACT (the worker in crates/hookwatch and the store depend on
//! these names; keep them):
//!
//! - `TargetConfig` (serde, TOML; `type = "webhook" | "slack" | "discord" |
//!   "pagerduty" | "sentry" | "ntfy" | "telegram" | "desktop" | "command"`)
//!   and `TargetCommon` (fields every target has).
//! - `resolve(name, &TargetConfig) -> Result<Resolved, String>`: reads
//!   secrets from the env vars / files the config names; `Resolved.warnings`
//!   lists loose-permission files. Errors say what to do.
//! - `render(&Resolved, &Notification, now_unix_s) -> Result<Rendered, String>`:
//!   pure, deterministic for the same inputs (tests check payloads).
//! - `send(&Resolved, &Notification, &SendOptions) -> Delivery`.
//! - `retry_after(header_value, now_unix_s) -> Option<Duration>` and
//!   `backoff(attempt, base, cap, rand01) -> Duration` (full jitter).
//! - `accepts_attention(target_kind, attention_kind) -> bool`: whether a
//!   target takes an attention notification of that kind (PagerDuty and
//!   Sentry only take "failed"); the worker asks before it queues one.
//!
//! Attention notifications (`Notification.attention`) render per kind in
//! every target: the title the worker set, the message excerpt, the
//! turn's facts ("12m 30s · 14 tool calls · 3 files written") and the
//! place ("myproj · main · fix-login-bug"); priority and sound where the
//! target has them (ntfy, Telegram, desktop); Standard Webhooks type
//! `hookwatch.attention.<kind>`; the command target gets it in its JSON.
//!
//! Telegram (`type = "telegram"`): `bot_token_env` or `bot_token_file`
//! (never the token itself: it is part of the request path), `chat_id` or
//! `chat_id_env`, optional `api_url` and `message_thread_id`.
//!
//! Also public: `permission_warning(path)` (for config.toml itself),
//! `standard_webhooks_signature(secret, id, ts, body)` (for receivers and
//! tests), `find_on_path(program, path)` and `Resolved::desktop_program`
//! (tests inject a fake notifier without touching the process's PATH),
//! `Resolved::endpoint_redacted()` (where a target sends, fit for messages).
//!
//! Layout: `config` (TOML), `secrets` (resolve), `targets/*` (one format
//! each), `http` and `exec` (one attempt and its classification), `retry`,
//! `text` (scrub, cut, redact), `time` (RFC 3339, HTTP-date).

mod config;
mod exec;
mod http;
mod retry;
mod secrets;
mod targets;
mod text;
pub mod time;

pub use config::{
    CommandConfig, DesktopConfig, DiscordConfig, NtfyConfig, NtfyPriority, PagerDutyConfig,
    Sensitive, SentryConfig, SlackConfig, TargetCommon, TargetConfig, TelegramChatId,
    TelegramConfig, WebhookConfig,
};
pub use http::is_loopback;
pub use retry::{backoff, retry_after};
pub use secrets::{desktop_program_name, find_on_path, permission_warning, resolve, Resolved};
pub use targets::duration_text;
pub use targets::webhook::standard_webhooks_signature;
pub use text::redact_url;

use secrets::Target;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// Severity as the outbox computed it (highest of the notification's alerts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    #[default]
    Error,
    Critical,
}

/// Firing: something failed. Resolved: the condition cleared (only targets
/// with `send_resolved`, e.g. PagerDuty `event_action: resolve`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Firing,
    Resolved,
}

/// One notification to one target: a group of alerts (hook events) that the
/// outbox decided to send together. Stored as JSON in the outbox row, so it
/// is the same on every retry. Every text in it is already scrubbed; sinks
/// scrub again what they send (defence in depth).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Notification {
    /// Outbox row id.
    pub id: i64,
    /// Stable across retries of this notification: the Standard Webhooks
    /// `webhook-id`, the base of Sentry's `event_id`, the `Idempotency-Key`.
    pub key: String,
    /// Stable across notifications of one group: PagerDuty `dedup_key`,
    /// Sentry `fingerprint`.
    pub group_key: String,
    pub status: Status,
    /// One line, e.g. "Bash failed 3× in myproj: cargo build (missing_dependency)".
    pub title: String,
    pub severity: Severity,
    /// When the outbox created it, µs since the epoch.
    pub created_us: i64,
    /// Route that matched (for the reader: which rule sent this).
    pub route: String,
    pub project: Option<String>,
    pub session: Option<String>,
    /// Labels common to every alert of the notification (group labels).
    pub labels: BTreeMap<String, String>,
    /// The alerts, newest last; at most a few dozen (the outbox caps it and
    /// says how many were left out in `omitted`).
    pub alerts: Vec<AlertItem>,
    pub omitted: u64,
    /// A test notification (`hookwatch alerts test TARGET`).
    pub test: bool,
    /// Set on attention notifications (`[notify]`: Claude is done, needs
    /// you, is idle, or failed): renderers show it instead of the alert
    /// list. `alerts` is empty then, except for the "failed" kind, which
    /// carries the StopFailure (or recovery outcome) as an alert item.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attention: Option<Attention>,
}

/// What an attention notification tells a person. Every text is scrubbed
/// by the worker (and again by `render`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct Attention {
    /// `done`, `needs_you`, `idle` or `failed`; kept as text so that a body
    /// stored by a newer hookwatch still renders.
    pub kind: String,
    /// What caused it: `Stop`, a Notification type (`permission_prompt`,
    /// `elicitation_dialog`, ...), or the tool (`AskUserQuestion`,
    /// `ExitPlanMode`).
    pub cause: String,
    /// A short, friendly name for the session ("fix-login-bug", taken from
    /// its first prompt), so two sessions of one project are told apart.
    pub session_name: Option<String>,
    pub branch: Option<String>,
    /// The main text: the last assistant message (markdown stripped), the
    /// question asked, the plan, or Claude Code's notification message.
    pub message: Option<String>,
    /// How long the turn took (done), in ms.
    pub turn_ms: Option<i64>,
    /// What the turn did (done).
    pub tool_calls: Option<u64>,
    pub files_written: Option<u64>,
    pub failures: Option<u64>,
    pub priority: Priority,
    /// A sound name for targets that can play one (notify-send's
    /// `sound-name` hint, osascript's `sound name`). None: the kind's
    /// default for the platform; Some(""): silent.
    pub sound: Option<String>,
}

/// How urgently a person should look: ntfy priority 2/3/4/5, desktop
/// urgency low/normal/critical/critical, Telegram silent below default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Low,
    #[default]
    Default,
    High,
    Urgent,
}

/// Does a target of type `target_kind` (`TargetConfig::kind`) take
/// attention notifications of `attention_kind`? PagerDuty and Sentry are
/// for incidents and errors: a page or a Sentry issue for "Claude is
/// done" would be noise, so they take only "failed". Every other target
/// takes every kind (also kinds this version does not know).
pub fn accepts_attention(target_kind: &str, attention_kind: &str) -> bool {
    match target_kind {
        "pagerduty" | "sentry" => attention_kind == "failed",
        _ => true,
    }
}

/// One alert inside a notification: a recorded hook event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct AlertItem {
    /// Event id in the store: `hookwatch show <event_id>` prints it.
    pub event_id: i64,
    pub time_us: i64,
    /// hook_event_name: PostToolUseFailure, StopFailure, ...
    pub event: String,
    pub tool: Option<String>,
    pub mcp_server: Option<String>,
    /// Bash command (or the tool's main argument), cut to a few hundred chars.
    pub command: Option<String>,
    /// Error excerpt (PostToolUseFailure `error`; StopFailure error_details
    /// or last_assistant_message), cut to ~1000 chars.
    pub error: Option<String>,
    /// StopFailure `error` type (rate_limit, authentication_failed, ...).
    pub error_type: Option<String>,
    pub class: Option<String>,
    pub severity: Severity,
    pub fingerprint: Option<String>,
    /// Occurrences this alert stands for (same fingerprint folded together).
    pub count: u64,
    pub labels: BTreeMap<String, String>,
}

impl AlertItem {
    /// The hint printed in every payload.
    pub fn show_hint(&self) -> String {
        format!("hookwatch show {}", self.event_id)
    }
}

/// What one delivery attempt came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Delivery {
    /// 2xx (or the command exited 0). `answer`: status line and a short,
    /// scrubbed excerpt of the body.
    Delivered { status: Option<u16>, answer: String },
    /// Network error, timeout, 408, 429, 5xx: try again, after `after` when
    /// the target said when (Retry-After, Discord `retry_after`,
    /// X-Sentry-Rate-Limits, Telegram `parameters.retry_after`).
    Retry {
        status: Option<u16>,
        error: String,
        after: Option<Duration>,
    },
    /// Any other 4xx, 3xx, a config problem, a missing secret: sending again
    /// will not help; the row goes to dead-letter and the target is reported
    /// as broken.
    Permanent { status: Option<u16>, error: String },
}

/// Options for one attempt.
#[derive(Debug, Clone)]
pub struct SendOptions {
    /// Whole-request timeout (connect + send + answer).
    pub timeout: Duration,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// Seconds since the epoch at send time (signatures, `sent_at`).
    pub now_unix_s: i64,
}

/// A notification in a target's wire format, ready for one attempt.
#[derive(Clone, PartialEq)]
pub enum Rendered {
    Http {
        method: String,
        url: String,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Run `argv[0]` directly (no shell) with `stdin` piped in.
    Exec { argv: Vec<String>, stdin: Vec<u8> },
}

/// By hand: the URL can be the credential (Slack, Discord) and the body can
/// hold one (PagerDuty's routing key), so neither is printed.
impl fmt::Debug for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rendered::Http {
                method,
                url,
                headers,
                body,
            } => f
                .debug_struct("Http")
                .field("method", method)
                .field("url", &text::redact_url(url))
                .field(
                    "headers",
                    &headers.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
                )
                .field("body_len", &body.len())
                .finish(),
            Rendered::Exec { argv, stdin } => f
                .debug_struct("Exec")
                .field("argv", argv)
                .field("stdin_len", &stdin.len())
                .finish(),
        }
    }
}

/// The notification in the target's format. Pure: the same inputs give the
/// same bytes (the clock comes in as `now_unix_s`).
pub fn render(r: &Resolved, n: &Notification, now_unix_s: i64) -> Result<Rendered, String> {
    let n = text::scrubbed(n);
    match &r.target {
        Target::Webhook { url, key, headers } => {
            targets::webhook::render(url, key.as_deref(), headers, &n, now_unix_s)
        }
        Target::Slack { url } => targets::slack::render(url, &n),
        Target::Discord { url } => targets::discord::render(url, &n, now_unix_s),
        Target::PagerDuty { url, routing_key } => {
            targets::pagerduty::render(url, routing_key, &r.hostname, &n, now_unix_s)
        }
        Target::Sentry(dsn) => targets::sentry::render(dsn, &r.hostname, &n, now_unix_s),
        Target::Ntfy {
            url,
            token,
            priority,
        } => targets::ntfy::render(url, token.as_deref(), priority.as_deref(), &n),
        Target::Telegram {
            url,
            chat_id,
            message_thread_id,
            ..
        } => targets::telegram::render(url, chat_id, *message_thread_id, &n),
        Target::Desktop { app_name } => {
            targets::desktop::render(r.desktop_program.as_deref(), app_name, &n)
        }
        Target::Command { argv } => targets::command::render(argv, &n),
    }
}

/// One delivery attempt: render, send, classify the answer. Never retries
/// and never waits longer than `opts.timeout` (plus process start-up).
pub fn send(r: &Resolved, n: &Notification, opts: &SendOptions) -> Delivery {
    let rendered = match render(r, n, opts.now_unix_s) {
        Ok(x) => x,
        Err(error) => {
            return Delivery::Permanent {
                status: None,
                error: format!("alert target \"{}\": {error}", r.name),
            }
        }
    };
    match rendered {
        Rendered::Http {
            method,
            url,
            headers,
            body,
        } => {
            let flavor = match r.target {
                Target::Slack { .. } => http::Flavor::Slack,
                Target::Discord { .. } => http::Flavor::Discord,
                Target::Sentry(_) => http::Flavor::Sentry,
                Target::Telegram { .. } => http::Flavor::Telegram,
                _ => http::Flavor::Generic,
            };
            http::send(flavor, &method, &url, &headers, &body, opts)
        }
        Rendered::Exec { argv, stdin } => {
            let flavor = match r.target {
                Target::Desktop { .. } => exec::Flavor::Desktop,
                _ => exec::Flavor::Command,
            };
            exec::run(flavor, &argv, &stdin, opts.timeout)
        }
    }
}
