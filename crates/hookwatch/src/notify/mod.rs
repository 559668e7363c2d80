//! Attention notifications, run by the worker (never by the hook): every
//! new event is looked at once; an event that needs a person (a finished
//! turn, a permission prompt, a question, an idle prompt, a stop on an API
//! error) becomes a decision, sent or suppressed with the reason, and a
//! sent one is queued in the alert outbox, which delivers it like an alert
//! (retries, dead letters) but with no group wait. A "done" is held for
//! `settle` first: if the session goes on (another Stop hook blocked, the
//! person typed), the turn was not over.

pub mod message;

use crate::alerting::{stable_key, Alerting};
use hookwatch_attention::config::Limits;
use hookwatch_attention::kind::EventFacts;
use hookwatch_attention::{decide, Candidate, Decision, History, Kind, NotifyConfig, Trigger};
use hookwatch_store::attention::NewAttention;
use hookwatch_store::outbox::NewNotification;
use hookwatch_store::{EventRow, Store};
use serde_json::Value;

/// Older than this when decided: not sent (10 minutes).
const STALE_US: i64 = 600_000_000;

/// `[notify]`, checked, with the zone its quiet hours are in.
pub struct Notifier {
    pub config: NotifyConfig,
    pub limits: Limits,
    tz: jiff::tz::TimeZone,
}

impl Notifier {
    /// None when [notify] is off or names no target. Errors name the key.
    pub fn load(
        config: &NotifyConfig,
        alerts: &hookwatch_alert::AlertsConfig,
    ) -> Result<Option<Notifier>, String> {
        if !config.active() {
            return Ok(None);
        }
        let known = |t: &str| alerts.targets.get(t).is_some_and(|c| c.common().enabled);
        let limits = config.check(&known)?;
        for k in Kind::ALL {
            for t in config.targets_of(k) {
                let kind = alerts.targets.get(t).map(|c| c.kind()).unwrap_or("");
                if !hookwatch_sink::accepts_attention(kind, k.as_str()) {
                    return Err(format!(
                        "[notify.{k}] names target {t:?}, a {kind} target: paging and error \
                         trackers take only the \"failed\" kind; use desktop, ntfy, slack, \
                         discord, telegram, webhook or command for {k}"
                    ));
                }
            }
        }
        let tz = match &config.timezone {
            Some(name) => jiff::tz::TimeZone::get(name)
                .map_err(|e| format!("[notify] timezone {name:?}: {e}"))?,
            None => jiff::tz::TimeZone::system(),
        };
        Ok(Some(Notifier {
            config: config.clone(),
            limits,
            tz,
        }))
    }

    fn minute_of_day(&self, time_us: i64) -> u16 {
        jiff::Timestamp::from_microsecond(time_us)
            .map(|t| {
                let d = self.tz.to_datetime(t);
                d.hour() as u16 * 60 + d.minute() as u16
            })
            .unwrap_or(0)
    }
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct Report {
    pub sent: usize,
    pub suppressed: usize,
    pub held: usize,
}

/// Look at every new event, then settle the held "done"s that are due.
pub fn run(store: &mut Store, n: &Notifier, a: &Alerting, now_us: i64) -> Result<Report, String> {
    let e = |e: hookwatch_store::StoreError| e.to_string();
    let mut report = Report::default();
    for _ in 0..1000 {
        let (mut cursor, rows) = store.unseen_by_attention(500).map_err(e)?;
        let Some(last) = rows.last().map(|r| r.id) else {
            break;
        };
        for row in &rows {
            let Some(trigger) = trigger_of(row, &n.config) else {
                continue;
            };
            // One commit per decision: the next one (a second Stop of the
            // same turn) sees it.
            let d = first_look(store, n, a, row, &trigger, now_us)?;
            count(&mut report, &d.state);
            if !store
                .commit_attention(Some((cursor, row.id)), &[d], &[], now_us)
                .map_err(e)?
            {
                return Ok(report); // another worker took over
            }
            cursor = row.id;
        }
        if cursor < last
            && !store
                .commit_attention(Some((cursor, last)), &[], &[], now_us)
                .map_err(e)?
        {
            return Ok(report);
        }
    }
    for held in store.due_attention(now_us).map_err(e)? {
        let Ok(Some(row)) = store.event(held.event_id) else {
            let gone = NewAttention {
                state: "suppressed".into(),
                reason: Some("the event was deleted before it was decided".into()),
                ..settled_from(&held)
            };
            store
                .commit_attention(None, &[], &[(held.id, gone)], now_us)
                .map_err(e)?;
            continue;
        };
        let trigger = Trigger {
            kind: Kind::Done,
            cause: held.cause.clone(),
        };
        let went_on = match row.session_id.as_deref() {
            Some(s) => store.session_went_on(s, row.id).map_err(e)?,
            None => false,
        };
        let d = if went_on {
            NewAttention {
                state: "suppressed".into(),
                reason: Some(
                    "the session went on (a Stop hook or the person kept it going)".into(),
                ),
                ..settled_from(&held)
            }
        } else {
            decided(store, n, a, &row, &trigger, held.turn_key.clone(), now_us)?
        };
        count(&mut report, &d.state);
        store
            .commit_attention(None, &[], &[(held.id, d)], now_us)
            .map_err(e)?;
    }
    Ok(report)
}

fn count(r: &mut Report, state: &str) {
    match state {
        "sent" => r.sent += 1,
        "held" => r.held += 1,
        _ => r.suppressed += 1,
    }
}

fn settled_from(h: &hookwatch_store::attention::AttentionRow) -> NewAttention {
    NewAttention {
        event_id: h.event_id,
        time_us: h.time_us,
        session: h.session.clone(),
        kind: h.kind.clone(),
        cause: h.cause.clone(),
        turn_key: h.turn_key.clone(),
        state: String::new(),
        reason: None,
        due_us: None,
        notifications: Vec::new(),
    }
}

pub fn payload(row: &EventRow) -> Value {
    row.payload
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or(Value::Null)
}

/// The kind an event deserves, if any.
pub fn trigger_of(row: &EventRow, config: &NotifyConfig) -> Option<Trigger> {
    let p = payload(row);
    hookwatch_attention::classify(
        &EventFacts {
            event: &row.event,
            notification_type: p.get("notification_type").and_then(Value::as_str),
            tool: row.tool_name.as_deref(),
            agent_id: row.agent_id.as_deref(),
        },
        &config.ignore_types,
    )
}

/// The first look at an event: a "done" is held (or folded into its
/// turn's), everything else is decided now.
fn first_look(
    store: &mut Store,
    n: &Notifier,
    a: &Alerting,
    row: &EventRow,
    trigger: &Trigger,
    now_us: i64,
) -> Result<NewAttention, String> {
    let e = |e: hookwatch_store::StoreError| e.to_string();
    let base = NewAttention {
        event_id: row.id,
        time_us: row.time_us,
        session: row.session_id.clone(),
        kind: trigger.kind.as_str().into(),
        cause: trigger.cause.clone(),
        turn_key: None,
        state: String::new(),
        reason: None,
        due_us: None,
        notifications: Vec::new(),
    };
    if n.config.targets_of(trigger.kind).is_empty() {
        return Ok(NewAttention {
            state: "suppressed".into(),
            reason: Some(format!("[notify.{}] is off or has no target", trigger.kind)),
            ..base
        });
    }
    if trigger.kind != Kind::Done {
        return decided(store, n, a, row, trigger, None, now_us);
    }
    let turn_key = turn_key(row);
    if let Some(earlier) = store.attention_of_turn(&turn_key).map_err(e)? {
        match earlier.state.as_str() {
            "held" => {
                // Several Stop hooks, or a Stop hook made Claude go on: the
                // later Stop ends the turn.
                let superseded = NewAttention {
                    state: "suppressed".into(),
                    reason: Some(format!("the same turn ended again (event {})", row.id)),
                    ..settled_from(&earlier)
                };
                store
                    .commit_attention(None, &[], &[(earlier.id, superseded)], now_us)
                    .map_err(e)?;
            }
            "sent" => {
                return Ok(NewAttention {
                    state: "suppressed".into(),
                    reason: Some(format!(
                        "this turn was already notified (event {})",
                        earlier.event_id
                    )),
                    turn_key: Some(turn_key),
                    ..base
                })
            }
            _ => {}
        }
    }
    Ok(NewAttention {
        state: "held".into(),
        due_us: Some(row.time_us.max(now_us - n.limits.settle_us) + n.limits.settle_us),
        turn_key: Some(turn_key),
        ..base
    })
}

/// One turn, one "done": the prompt id Claude Code gives every event of a
/// turn; without it, the Stop itself.
fn turn_key(row: &EventRow) -> String {
    let p = payload(row);
    let session = row.session_id.as_deref().unwrap_or("");
    match p.get("prompt_id").and_then(Value::as_str) {
        Some(id) if !id.is_empty() => format!("{session}/{id}"),
        _ => format!("{session}/event-{}", row.id),
    }
}

/// Unattended: `claude -p` (Claude Code says CLAUDE_CODE_SESSION_ATTENDED=0
/// to its hooks) or a run under `hookwatch run`.
fn headless(row: &EventRow) -> bool {
    let marks: Value = row
        .outcome
        .as_deref()
        .and_then(|o| serde_json::from_str(o).ok())
        .unwrap_or(Value::Null);
    marks.get("run").is_some() || marks.get("attended") == Some(&Value::Bool(false))
}

/// Decide now: noise rules, then the notifications to queue.
fn decided(
    store: &Store,
    n: &Notifier,
    a: &Alerting,
    row: &EventRow,
    trigger: &Trigger,
    turn_key: Option<String>,
    now_us: i64,
) -> Result<NewAttention, String> {
    let e = |e: hookwatch_store::StoreError| e.to_string();
    let kind = trigger.kind;
    let session = row.session_id.as_deref();
    let facts = match (kind, session) {
        (Kind::Done, Some(s)) => {
            let p = payload(row);
            let prompt = p.get("prompt_id").and_then(Value::as_str);
            Some(store.turn_facts(s, row.id, prompt).map_err(e)?)
        }
        _ => None,
    };
    let history = match session {
        Some(s) => History {
            last_same_kind_us: store.last_attention_sent(s, kind.as_str()).map_err(e)?,
            last_needs_you_us: store.last_attention_sent(s, "needs_you").map_err(e)?,
        },
        None => History::default(),
    };
    let candidate = Candidate {
        kind,
        time_us: row.time_us,
        turn_us: facts.and_then(|f| f.start_us).map(|s| row.time_us - s),
        headless: headless(row),
        minute_of_day: n.minute_of_day(row.time_us),
    };
    let mut out = NewAttention {
        event_id: row.id,
        time_us: row.time_us,
        session: row.session_id.clone(),
        kind: kind.as_str().into(),
        cause: trigger.cause.clone(),
        turn_key,
        state: "suppressed".into(),
        reason: None,
        due_us: None,
        notifications: Vec::new(),
    };
    // A person is told what is happening, not what happened: an event the
    // worker sees late (it was down, the data came from a rescue spool) is
    // recorded, not sent.
    if now_us - row.time_us > STALE_US {
        out.reason = Some(format!(
            "stale: recorded {} before the worker saw it",
            hookwatch_attention::text::duration(now_us - row.time_us)
        ));
        return Ok(out);
    }
    if let Decision::Suppress(why) = decide::decide(&candidate, &history, &n.config, &n.limits) {
        out.reason = Some(why);
        return Ok(out);
    }
    let body = message::build(store, n, row, trigger, facts, now_us);
    let mut alerted = Vec::new();
    for target in n.config.targets_of(kind) {
        // "failed" is today's alert: a target the alert went to is not
        // told twice.
        if kind == Kind::Failed && store.alerted_to(row.id, target).map_err(e)? {
            alerted.push(target.as_str());
            continue;
        }
        let Ok(limits) = a.config.limits(target) else {
            continue;
        };
        let key = stable_key("hwn", &[kind.as_str(), &row.id.to_string(), target]);
        let mut b = body.clone();
        b.key = key.clone();
        out.notifications.push(NewNotification {
            target: target.clone(),
            group_key: format!("attention:{}:{}", session.unwrap_or(""), kind),
            key,
            kind: "attention".into(),
            body: serde_json::to_string(&b).unwrap_or_default(),
            deadline_us: now_us + limits.max_age_us,
            alert_ids: Vec::new(),
            fingerprints: Vec::new(),
        });
    }
    if out.notifications.is_empty() {
        out.reason = Some(if alerted.is_empty() {
            "no usable target".into()
        } else {
            format!("sent as an alert to {}", alerted.join(", "))
        });
    } else {
        out.state = "sent".into();
        if !alerted.is_empty() {
            out.reason = Some(format!("also sent as an alert to {}", alerted.join(", ")));
        }
    }
    Ok(out)
}
