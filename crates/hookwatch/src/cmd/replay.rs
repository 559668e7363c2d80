//! `hookwatch replay`: recorded events through today's guard rules, failure
//! rules and advice, and alert routing, showing what would now be decided
//! differently: a rules change reviewed on real traffic before it ships.
//! `--command` feeds the same events to any hook (`hookwatch test`).

use crate::cmd::query::{safe, since_us};
use crate::paths::Paths;
use anyhow::{anyhow, bail, Result};
use hookwatch_event::Event;
use hookwatch_store::{EventFilter, EventRow};
use serde_json::{json, Value};

pub struct Args {
    pub session: Option<String>,
    pub since: Option<String>,
    pub limit: usize,
    pub json: bool,
    /// Show every replayed decision, not only the changed ones.
    pub all: bool,
    pub command: Vec<String>,
}

/// One decision, then and now.
struct Diff {
    event_id: i64,
    what: &'static str,
    subject: String,
    was: String,
    now: String,
    why: String,
}

pub fn run(a: Args) -> Result<()> {
    if a.session.is_none() && a.since.is_none() {
        bail!("say which events: hookwatch replay --session ID, or --since 7d");
    }
    let paths = Paths::resolve();
    let cfg = crate::cmd::load_config(&paths)?;
    let store = crate::cmd::ingest::open_fresh(&paths)?;
    let rows = store.events(&EventFilter {
        session: a.session.clone(),
        since_us: since_us(a.since.as_deref())?,
        limit: Some(a.limit),
        ..Default::default()
    })?;
    if !a.command.is_empty() {
        return crate::cmd::hooktest::run(crate::cmd::hooktest::Args {
            command: a.command,
            event_ids: rows.iter().map(|r| r.id).collect(),
            session: None,
            event: None,
            limit: a.limit,
            fixtures: Vec::new(),
            project: None,
            timeout_s: 60.0,
            variants: false,
            format: "text".into(),
        });
    }
    let rules = hookwatch_failure::Rules::new(&cfg.failure.rules)
        .map_err(|e| anyhow!("[[failure.rules]]: {e}"))?;
    let alerting = crate::alerting::Alerting::load(&cfg.alerts, &cfg.notify, &paths.config_file)
        .map_err(|e| anyhow!("[alerts]: {e}"))?
        .filter(|a| a.routing);
    let mut diffs = Vec::new();
    let mut replayed = 0;
    for r in &rows {
        let Some(ev) = r
            .payload
            .as_deref()
            .and_then(|p| Event::parse(p.as_bytes()).ok())
        else {
            continue;
        };
        match r.event.as_str() {
            "PreToolUse" => {
                replayed += 1;
                diffs.push(guard(&paths, &cfg, r, &ev));
            }
            "PostToolUseFailure" => {
                replayed += 1;
                diffs.extend(failure(&rules, r, &ev));
            }
            _ => {}
        }
        if let Some(al) = &alerting {
            if cfg.alerts.candidate(&r.event, r.expected) || !store.alert_targets(r.id)?.is_empty()
            {
                diffs.push(routing(&store, al, r)?);
            }
        }
    }
    let changed: Vec<&Diff> = diffs.iter().filter(|d| d.was != d.now).collect();
    let shown: Vec<&Diff> = if a.all {
        diffs.iter().collect()
    } else {
        changed.clone()
    };
    if a.json {
        for d in &shown {
            println!(
                "{}",
                json!({"event_id": d.event_id, "what": d.what, "subject": d.subject, "was": d.was, "now": d.now, "changed": d.was != d.now, "why": d.why})
            );
        }
        return Ok(());
    }
    for d in &shown {
        let mark = if d.was != d.now { "CHANGED" } else { "same   " };
        println!(
            "{mark} event {:<6} {:<8} {}: {} → {}{}",
            d.event_id,
            d.what,
            safe(&d.subject),
            d.was,
            d.now,
            if d.why.is_empty() {
                String::new()
            } else {
                format!("  ({})", safe(&d.why))
            }
        );
    }
    println!(
        "{} event(s) read, {replayed} decision(s) replayed with today's config: {} would change{}",
        rows.len(),
        changed.len(),
        if alerting.is_none() {
            "; alert routing not replayed ([alerts] off)"
        } else {
            ""
        }
    );
    Ok(())
}

fn subject(ev: &Event) -> String {
    let input = ev.tool_input();
    let main = crate::guard::subject(input.unwrap_or(&Value::Null)).unwrap_or("");
    let s = format!("{} {}", ev.tool_name().unwrap_or(""), main);
    s.chars().take(80).collect()
}

fn guard(paths: &Paths, cfg: &crate::config::Config, r: &EventRow, ev: &Event) -> Diff {
    let mut errors = Vec::new();
    let o = crate::guard::evaluate(
        paths,
        &cfg.guard,
        ev.tool_name().unwrap_or(""),
        ev.tool_input().unwrap_or(&Value::Null),
        ev.common.cwd.as_deref().unwrap_or(""),
        r.project.as_deref(),
        &mut errors,
    );
    let (now, why) = match &o.verdict {
        Some(v) => (format!("{:?}", v.decision).to_lowercase(), v.policy.clone()),
        None => ("no decision".to_string(), String::new()),
    };
    Diff {
        event_id: r.id,
        what: "guard",
        subject: subject(ev),
        was: r
            .guard_decision
            .clone()
            .unwrap_or_else(|| "no decision".into()),
        now,
        why,
    }
}

fn failure(rules: &hookwatch_failure::Rules, r: &EventRow, ev: &Event) -> Vec<Diff> {
    let (v, _, _) = crate::advice::classify(rules, ev, r.project.as_deref());
    let d = |what: &'static str, was: String, now: String, why: String| Diff {
        event_id: r.id,
        what,
        subject: subject(ev),
        was,
        now,
        why,
    };
    let class_was = format!(
        "{}{}",
        r.class.as_deref().unwrap_or("-"),
        if r.expected == Some(true) {
            " (expected)"
        } else {
            ""
        }
    );
    let class_now = format!(
        "{}{}",
        v.class.as_str(),
        if v.expected { " (expected)" } else { "" }
    );
    let mut out = vec![d("class", class_was, class_now, v.rule.clone())];
    let fp_was = r.fingerprint.clone().unwrap_or_else(|| "-".into());
    if fp_was != v.fingerprint.id {
        out.push(d(
            "fingerprint",
            fp_was,
            v.fingerprint.id.clone(),
            String::new(),
        ));
    }
    let outcome: Value = r
        .outcome
        .as_deref()
        .and_then(|o| serde_json::from_str(o).ok())
        .unwrap_or(Value::Null);
    // The advice rule that matched when it was recorded (given, or
    // withheld by a cap), against the one that matches now.
    if let Some(f) = outcome.get("failure") {
        let ids = |k: &str| -> Vec<String> {
            f.get(k)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        let was = ids("advice")
            .into_iter()
            .chain(ids("withheld"))
            .find(|x| x != "repeat")
            .unwrap_or_else(|| "none".into());
        let now = v
            .advice
            .as_ref()
            .map(|a| a.rule.clone())
            .unwrap_or_else(|| "none".into());
        out.push(d("advice", was, now, String::new()));
    }
    out
}

fn routing(
    store: &hookwatch_store::Store,
    a: &crate::alerting::Alerting,
    r: &EventRow,
) -> Result<Diff> {
    let was = store.alert_targets(r.id)?;
    let l = crate::alerting::labels_of(r);
    let mut now: Vec<String> = if a.config.candidate(&r.event, r.expected) {
        a.tree
            .routes(&l)
            .iter()
            .flat_map(|m| m.route.targets.iter().cloned())
            .collect()
    } else {
        Vec::new()
    };
    now.sort();
    now.dedup();
    let show = |t: &[String]| {
        if t.is_empty() {
            "no alert".to_string()
        } else {
            t.join(", ")
        }
    };
    Ok(Diff {
        event_id: r.id,
        what: "alert",
        subject: format!("{} {}", r.event, r.tool_name.as_deref().unwrap_or("")),
        was: show(&was),
        now: show(&now),
        why: String::new(),
    })
}
