//! `hookwatch alerts`, `silence`, `drain` and `daemon`: look at the outbox,
//! put dead notifications back in line, try a target, mute alerts for a
//! while, and run the worker by hand.

use crate::cmd::ingest::open_fresh;
use crate::cmd::load_config;
use crate::cmd::query::{one_line, safe};
use crate::paths::Paths;
use crate::timefmt::{now_us, parse_duration, rfc3339};
use anyhow::{anyhow, bail, Result};
use hookwatch_sink::{Delivery, Notification, SendOptions};
use serde_json::json;
use std::io::Write;

fn title_of(body: &str) -> String {
    serde_json::from_str::<Notification>(body)
        .map(|n| n.title)
        .unwrap_or_default()
}

/// Notifications (the outbox), oldest of the newest `limit` first.
pub fn list(state: Option<&str>, limit: usize, json_out: bool) -> Result<()> {
    if let Some(s) = state {
        if !["pending", "sent", "dead"].contains(&s) {
            bail!("--state {s:?}: use pending, sent or dead (for alerts that were deduplicated, silenced or inhibited: `hookwatch alerts history --state ...`)");
        }
    }
    let paths = Paths::resolve();
    let store = open_fresh(&paths)?;
    let rows = store.notifications(state, limit)?;
    let mut out = std::io::stdout().lock();
    if json_out {
        for r in &rows {
            let body: serde_json::Value = serde_json::from_str(&r.body).unwrap_or_default();
            let v = json!({
                "id": r.id, "target": r.target, "kind": r.kind, "state": r.state,
                "attempts": r.attempts, "created": rfc3339(r.created_us),
                "next_attempt": (r.state == "pending").then(|| rfc3339(r.next_attempt_us)),
                "sent": r.sent_us.map(rfc3339), "last_status": r.last_status,
                "last_error": r.last_error, "answer": r.answer, "key": r.key,
                "group_key": r.group_key, "title": body.get("title"), "notification": body,
            });
            writeln!(out, "{v}")?;
        }
        return Ok(());
    }
    for t in store.target_states()? {
        if let Some(since) = t.broken_since_us {
            writeln!(
                out,
                "target {} broken since {}: {}",
                t.target,
                rfc3339(since),
                one_line(t.broken_error.as_deref().unwrap_or(""), 160)
            )?;
        }
    }
    if rows.is_empty() {
        writeln!(
            out,
            "no notifications{}",
            state.map(|s| format!(" in state {s}")).unwrap_or_default()
        )?;
    }
    for r in &rows {
        let when = match r.state.as_str() {
            "sent" => format!("sent {}", r.sent_us.map(rfc3339).unwrap_or_default()),
            "pending" => format!("next {}", rfc3339(r.next_attempt_us)),
            _ => format!("created {}", rfc3339(r.created_us)),
        };
        writeln!(
            out,
            "{:>5}  {:<7} {:<12} {:<8} tries {:<2} {}  {}",
            r.id,
            r.state,
            one_line(&r.target, 12),
            r.kind,
            r.attempts,
            when,
            one_line(&title_of(&r.body), 100)
        )?;
        if r.state != "sent" {
            if let Some(e) = &r.last_error {
                writeln!(out, "       last error: {}", one_line(e, 160))?;
            }
        }
    }
    Ok(())
}

/// Alerts: what each routed event became (notified, deduplicated,
/// silenced, inhibited, or still waiting for its group).
pub fn history(state: Option<&str>, limit: usize, json_out: bool) -> Result<()> {
    let paths = Paths::resolve();
    let store = open_fresh(&paths)?;
    let rows = store.alerts(state, limit)?;
    let mut out = std::io::stdout().lock();
    for r in &rows {
        if json_out {
            let labels: serde_json::Value = serde_json::from_str(&r.labels).unwrap_or_default();
            let v = json!({
                "id": r.id, "event_id": r.event_id, "time": rfc3339(r.time_us),
                "routed": rfc3339(r.routed_us), "route": r.route, "target": r.target,
                "group_key": r.group_key, "fingerprint": r.fingerprint, "state": r.state,
                "reason": r.reason, "notification_id": r.notification_id, "labels": labels,
            });
            writeln!(out, "{v}")?;
        } else {
            let why = r
                .reason
                .as_deref()
                .map(|s| one_line(s, 80))
                .or(r.notification_id.map(|n| format!("notification {n}")))
                .unwrap_or_default();
            writeln!(
                out,
                "{:>5}  event {:<6} {:<13} {:<12} {}  {}",
                r.id,
                r.event_id,
                r.state,
                one_line(&r.target, 12),
                rfc3339(r.time_us),
                why
            )?;
        }
    }
    if rows.is_empty() && !json_out {
        writeln!(out, "no alerts")?;
    }
    Ok(())
}

pub fn retry(ids: &[i64], all_dead: bool) -> Result<()> {
    let paths = Paths::resolve();
    let mut ids = ids.to_vec();
    if all_dead {
        let store = open_fresh(&paths)?;
        ids.extend(
            store
                .notifications(Some("dead"), 100_000)?
                .iter()
                .map(|r| r.id),
        );
    }
    if ids.is_empty() {
        bail!("name notification ids (`hookwatch alerts --state dead` lists them) or pass --dead");
    }
    let mut n = 0;
    for id in ids {
        match requeue_one(&paths, id)? {
            true => n += 1,
            false => println!("notification {id} was already sent; not queued again"),
        }
    }
    println!("{n} notification(s) queued again; the worker sends them now");
    crate::cmd::ingest::spawn_background_worker(&paths);
    Ok(())
}

/// Queue notification `id` again (the dashboard's Retry) and start the
/// worker to send it.
pub fn requeue(id: i64) -> Result<()> {
    let paths = Paths::resolve();
    if !requeue_one(&paths, id)? {
        bail!("notification {id} was already sent; not queued again");
    }
    crate::cmd::ingest::spawn_background_worker(&paths);
    Ok(())
}

/// `false` when it was sent meanwhile.
fn requeue_one(paths: &Paths, id: i64) -> Result<bool> {
    let cfg = load_config(paths)?;
    let mut store = open_fresh(paths)?;
    let Some(row) = store.notification(id)? else {
        bail!("no notification {id} (`hookwatch alerts` lists them)");
    };
    let max_age = cfg
        .alerts
        .limits(&row.target)
        .map(|l| l.max_age_us)
        .unwrap_or(86_400_000_000);
    let now = now_us();
    Ok(store.retry_notification(id, now, now + max_age)?)
}

/// A new silence (the CLI's and the dashboard's): matchers `name=value`,
/// a duration (default 2h), an optional delay, and why. Returns its id,
/// matchers, start, end and author.
pub fn create_silence(
    matchers: &[String],
    duration: Option<&str>,
    starts: Option<&str>,
    comment: &str,
    author: Option<&str>,
) -> Result<(i64, Vec<String>, i64, i64, String)> {
    let m = hookwatch_alert::Matchers::parse(matchers).map_err(|e| anyhow!(e))?;
    if m.is_empty() {
        bail!("a silence needs at least one matcher, e.g. tool=Bash or session=abc123");
    }
    if comment.trim().is_empty() {
        bail!("say why with --comment (the next person to see this silence will want to know)");
    }
    let now = now_us();
    let starts = match starts {
        Some(s) => now + parse_duration(s).map_err(|e| anyhow!(e))?,
        None => now,
    };
    let dur = parse_duration(duration.unwrap_or("2h")).map_err(|e| anyhow!(e))?;
    let author = author
        .map(str::to_string)
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "unknown".into());
    let paths = Paths::resolve();
    let mut store = open_fresh(&paths)?;
    let strings = m.strings();
    let id = store.add_silence(&strings, starts, starts + dur, &author, comment, now)?;
    Ok((id, strings, starts, starts + dur, author))
}

/// Send a test notification to one target now, outside the outbox, and say
/// exactly what it answered.
pub fn test(target: &str, json_out: bool) -> Result<()> {
    let paths = Paths::resolve();
    let cfg = load_config(&paths)?;
    let Some(t) = cfg.alerts.targets.get(target) else {
        let names: Vec<&String> = cfg.alerts.targets.keys().collect();
        bail!(
            "no target named {target:?} in [alerts.targets] of {} (configured: {names:?})",
            paths.config_file.display()
        );
    };
    let limits = cfg.alerts.limits(target).map_err(|e| anyhow!(e))?;
    let resolved = hookwatch_sink::resolve(target, t).map_err(|e| anyhow!(e))?;
    let config_warning = hookwatch_sink::permission_warning(&paths.config_file);
    for w in config_warning.iter().chain(&resolved.warnings) {
        eprintln!("hookwatch: warning: {w}");
    }
    let now = now_us();
    let host = resolved.hostname.clone();
    let n = Notification {
        key: crate::alerting::stable_key("hwt", &[target, &now.to_string()]),
        group_key: format!("test:{target}"),
        title: format!("hookwatch test notification from {host}"),
        severity: hookwatch_sink::Severity::Info,
        created_us: now,
        route: "test".into(),
        test: true,
        alerts: vec![hookwatch_sink::AlertItem {
            event: "Test".into(),
            error: Some(format!(
                "If you can read this, alerts from hookwatch reach {target}."
            )),
            severity: hookwatch_sink::Severity::Info,
            count: 1,
            time_us: now,
            ..Default::default()
        }],
        ..Notification::default()
    };
    let d = hookwatch_sink::send(
        &resolved,
        &n,
        &SendOptions {
            timeout: std::time::Duration::from_micros(limits.timeout_us as u64),
            attempt: 1,
            now_unix_s: now / 1_000_000,
        },
    );
    let (ok, v) = match &d {
        Delivery::Delivered { status, answer } => (
            true,
            json!({"target": target, "result": "delivered", "status": status, "answer": answer}),
        ),
        Delivery::Retry {
            status,
            error,
            after,
        } => (
            false,
            json!({"target": target, "result": "retryable failure", "status": status, "error": error,
                   "retry_after_s": after.map(|a| a.as_secs_f64())}),
        ),
        Delivery::Permanent { status, error } => (
            false,
            json!({"target": target, "result": "permanent failure", "status": status, "error": error}),
        ),
    };
    if json_out {
        println!("{v}");
    } else {
        match d {
            Delivery::Delivered { answer, .. } => {
                println!("{target}: delivered; the target answered {}", safe(&answer))
            }
            Delivery::Retry { error, after, .. } => println!(
                "{target}: failed, would be retried{}: {}",
                after
                    .map(|a| format!(" after {}s", a.as_secs()))
                    .unwrap_or_default(),
                safe(&error)
            ),
            Delivery::Permanent { error, .. } => {
                println!(
                    "{target}: failed permanently (fix the target's config): {}",
                    safe(&error)
                )
            }
        }
    }
    if !ok {
        bail!("test notification to {target} was not delivered");
    }
    Ok(())
}

/// Configured targets, whether their secrets load, and their health.
pub fn targets(json_out: bool) -> Result<()> {
    let paths = Paths::resolve();
    let cfg = load_config(&paths)?;
    let store = open_fresh(&paths)?;
    let states = store.target_states()?;
    if cfg.alerts.targets.is_empty() && !json_out {
        println!("no targets: add one under [alerts.targets.NAME] in {} (`hookwatch config default` shows examples)", paths.config_file.display());
    }
    let config_warning = hookwatch_sink::permission_warning(&paths.config_file);
    for (name, t) in &cfg.alerts.targets {
        let resolved = hookwatch_sink::resolve(name, t);
        let st = states.iter().find(|s| &s.target == name);
        let mut warnings: Vec<String> = config_warning.iter().cloned().collect();
        if let Ok(r) = &resolved {
            warnings.extend(r.warnings.iter().cloned());
        }
        let limits = cfg.alerts.limits(name);
        if json_out {
            println!(
                "{}",
                json!({
                    "name": name, "type": t.kind(), "enabled": t.common().enabled,
                    "ready": resolved.is_ok(), "error": resolved.as_ref().err(),
                    "warnings": warnings,
                    "rate_limit": limits.as_ref().ok().and_then(|l| l.rate_limit).map(|r| format!("{}/{}", r.count, hookwatch_alert::duration::human(r.window_us))),
                    "send_resolved": limits.as_ref().ok().map(|l| l.send_resolved),
                    "broken_since": st.and_then(|s| s.broken_since_us).map(rfc3339),
                    "broken_error": st.and_then(|s| s.broken_error.clone()),
                    "last_ok": st.and_then(|s| s.last_ok_us).map(rfc3339),
                })
            );
            continue;
        }
        let health = match st {
            Some(s) if s.broken_since_us.is_some() => format!(
                "BROKEN since {}: {}",
                rfc3339(s.broken_since_us.unwrap_or_default()),
                one_line(s.broken_error.as_deref().unwrap_or(""), 120)
            ),
            Some(s) if s.last_ok_us.is_some() => format!(
                "ok, last delivery {}",
                rfc3339(s.last_ok_us.unwrap_or_default())
            ),
            _ => "no delivery yet".into(),
        };
        let ready = match &resolved {
            Ok(_) => "ready".to_string(),
            Err(e) => format!("NOT READY: {e}"),
        };
        println!(
            "{name:<16} {:<10} {}  {ready}; {health}",
            t.kind(),
            if t.common().enabled { "on " } else { "off" }
        );
        for w in warnings {
            println!("{:<16} warning: {w}", "");
        }
    }
    Ok(())
}

pub struct SilenceAdd<'a> {
    pub matchers: &'a [String],
    pub duration: Option<&'a str>,
    pub starts: Option<&'a str>,
    pub comment: &'a str,
    pub author: Option<&'a str>,
    pub json: bool,
}

pub fn silence_add(a: &SilenceAdd) -> Result<()> {
    let (id, strings, starts, ends, author) =
        create_silence(a.matchers, a.duration, a.starts, a.comment, a.author)?;
    let dur = ends - starts;
    if a.json {
        println!(
            "{}",
            json!({"id": id, "matchers": strings, "starts": rfc3339(starts), "ends": rfc3339(starts + dur), "created_by": author, "comment": a.comment})
        );
    } else {
        println!(
            "silence {id}: {} until {} ({author}: {})",
            strings.join(" "),
            rfc3339(starts + dur),
            one_line(a.comment, 100)
        );
    }
    Ok(())
}

pub fn silence_list(all: bool, json_out: bool) -> Result<()> {
    let paths = Paths::resolve();
    let store = open_fresh(&paths)?;
    let now = now_us();
    let rows = store.silences(if all { None } else { Some(now) })?;
    if rows.is_empty() && !json_out {
        println!("no {}silences", if all { "" } else { "active or pending " });
    }
    for s in rows {
        let state = if now < s.starts_us {
            "pending"
        } else if now < s.ends_us {
            "active"
        } else {
            "expired"
        };
        if json_out {
            println!(
                "{}",
                json!({"id": s.id, "state": state, "matchers": s.matchers, "starts": rfc3339(s.starts_us), "ends": rfc3339(s.ends_us), "created_by": s.created_by, "comment": s.comment, "created": rfc3339(s.created_us)})
            );
        } else {
            println!(
                "{:>4}  {state:<8} until {}  {}  ({}: {})",
                s.id,
                rfc3339(s.ends_us),
                safe(&s.matchers.join(" ")),
                safe(&s.created_by),
                one_line(&s.comment, 80)
            );
        }
    }
    Ok(())
}

pub fn silence_expire(id: i64) -> Result<()> {
    let paths = Paths::resolve();
    let mut store = open_fresh(&paths)?;
    if !store.expire_silence(id, now_us())? {
        bail!("no active or pending silence {id} (`hookwatch silence list` shows them)");
    }
    println!("silence {id} expired");
    Ok(())
}

/// Run the worker in the foreground.
pub fn drain(wait: bool, json_out: bool) -> Result<()> {
    let paths = Paths::resolve();
    load_config(&paths)?;
    let log = |m: String| eprintln!("hookwatch: {}", hookwatch_scrub::scrub_str(&m));
    let t = crate::worker::run(&paths, crate::worker::Mode::Drain { wait }, &log)?;
    if json_out {
        println!("{}", serde_json::to_string(&t)?);
    } else {
        println!(
            "ingested {} event(s); {} alert(s) routed, {} notification(s) queued; sent {}, retrying {}, dead {}, held by rate limits {}",
            t.ingested, t.alerts, t.notifications, t.sent, t.retried, t.dead, t.deferred
        );
        if t.pruned > 0 {
            println!("deleted {} event(s) past [store] retention", t.pruned);
        }
    }
    Ok(())
}

pub fn daemon() -> Result<()> {
    let paths = Paths::resolve();
    load_config(&paths)?;
    eprintln!(
        "hookwatch daemon: delivering alerts from {} (Ctrl-C to stop)",
        paths.data_dir.display()
    );
    let log = |m: String| {
        eprintln!("hookwatch: {}", hookwatch_scrub::scrub_str(&m));
    };
    crate::worker::run(&paths, crate::worker::Mode::Daemon, &log)?;
    Ok(())
}
