//! `hookwatch rules`: the failure rules (built-in and the user's), and a
//! dry run of them over recorded failures, so a rule can be tried before
//! it decides anything.

use crate::cmd::ingest::open_fresh;
use crate::cmd::load_config;
use crate::cmd::query::one_line;
use crate::cmd::query::since_us;
use crate::config::{load, Config};
use crate::paths::Paths;
use anyhow::{anyhow, bail, Context, Result};
use hookwatch_event::Event;
use hookwatch_store::EventFilter;
use serde_json::json;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

fn config(file: Option<&Path>) -> Result<Config> {
    match file {
        None => load_config(&Paths::resolve()),
        // A candidate config, same format as config.toml.
        Some(f) => Ok(load(f).map_err(|e| anyhow!(e))?.config),
    }
}

pub fn list(json_out: bool) -> Result<()> {
    let cfg = config(None)?;
    let mut out = std::io::stdout().lock();
    if json_out {
        for r in &cfg.failure.rules {
            writeln!(
                out,
                "{}",
                json!({"id": format!("user:{}", r.name), "user_rule": r})
            )?;
        }
        for b in hookwatch_failure::builtin_rules() {
            writeln!(
                out,
                "{}",
                json!({"id": format!("builtin:{}", b.id), "class": b.class.as_str(),
                       "expected": b.expected, "summary": b.summary, "advice": b.advice})
            )?;
        }
        return Ok(());
    }
    writeln!(out, "User rules, first match wins ([[failure.rules]]):")?;
    if cfg.failure.rules.is_empty() {
        writeln!(out, "  (none)")?;
    }
    for r in &cfg.failure.rules {
        writeln!(out, "  user:{}", r.name)?;
    }
    writeln!(out, "\nBuilt-in rules (used when no user rule matches):")?;
    for b in hookwatch_failure::builtin_rules() {
        writeln!(
            out,
            "  builtin:{:<28} {:<18} {}{}",
            b.id,
            b.class.as_str(),
            if b.expected { "[expected] " } else { "" },
            b.summary
        )?;
    }
    writeln!(
        out,
        "\nAdvice cap {} per session and fingerprint; repeat warning from the {}th failure; {} chars per session.",
        cfg.failure.advice_cap, cfg.failure.repeat_threshold, cfg.failure.session_budget_chars
    )?;
    Ok(())
}

pub struct TestArgs<'a> {
    pub file: Option<&'a Path>,
    pub rule: Option<&'a str>,
    pub since: Option<&'a str>,
    pub limit: usize,
    pub changed: bool,
    pub json: bool,
}

/// Classify recorded failures with the current (or a candidate) config and
/// show what each would get, next to what it got when it was recorded.
pub fn test(a: &TestArgs) -> Result<()> {
    let cfg = config(a.file)?;
    // A dry run of broken rules would quietly test the built-ins instead.
    let rules = hookwatch_failure::Rules::new(&cfg.failure.rules)
        .map_err(|e| anyhow!("[[failure.rules]]: {e}"))?;
    let errors = rules.check_regexes();
    if !errors.is_empty() {
        bail!("[[failure.rules]]: {}", errors.join("; "));
    }
    let store = open_fresh(&Paths::resolve())?;
    let since_us = since_us(a.since)?;
    let rows = store
        .events(&EventFilter {
            event: Some("PostToolUseFailure".into()),
            since_us,
            limit: Some(a.limit),
            ..Default::default()
        })
        .context("cannot read recorded failures")?;
    let mut out = std::io::stdout().lock();
    let mut per_rule: BTreeMap<String, usize> = BTreeMap::new();
    let mut shown = 0;
    if !a.json {
        writeln!(
            out,
            "{:>6}  {:<10}  {:<18}  {:<17}  {:<3}  {:<28}  ADVICE",
            "ID", "TOOL", "COMMAND", "CLASS", "EXP", "RULE"
        )?;
    }
    for r in &rows {
        let Some(ev) = r
            .payload
            .as_deref()
            .and_then(|p| Event::parse(p.as_bytes()).ok())
        else {
            continue;
        };
        let (v, _, errs) = crate::advice::classify(&rules, &ev, r.project.as_deref());
        for e in errs {
            eprintln!("hookwatch: event {}: {e}", r.id);
        }
        *per_rule.entry(v.rule.clone()).or_default() += 1;
        // A rule that only adds advice leaves the class to a built-in rule
        // but still matched: its name is on the advice.
        let by = |name: &str| {
            let id = format!("user:{name}");
            v.rule == id || v.advice.as_ref().is_some_and(|x| x.rule == id)
        };
        if let Some(adv) = v.advice.as_ref().filter(|x| x.rule != v.rule) {
            *per_rule.entry(adv.rule.clone()).or_default() += 1;
        }
        if a.rule.is_some_and(|name| !by(name)) {
            continue;
        }
        let changed = r.class.as_deref() != Some(v.class.as_str())
            || r.expected != Some(v.expected)
            || r.fingerprint.as_deref() != Some(v.fingerprint.id.as_str());
        if a.changed && !changed {
            continue;
        }
        shown += 1;
        if a.json {
            writeln!(
                out,
                "{}",
                json!({
                    "id": r.id,
                    "tool_name": r.tool_name,
                    "recorded": {"class": r.class, "expected": r.expected, "fingerprint": r.fingerprint},
                    "now": v,
                    "changed": changed,
                })
            )?;
            continue;
        }
        writeln!(
            out,
            "{:>6}  {:<10}  {:<18}  {:<17}  {:<3}  {:<28}  {}",
            r.id,
            one_line(r.tool_name.as_deref().unwrap_or("-"), 10),
            one_line(v.fingerprint.head.as_deref().unwrap_or("-"), 18),
            v.class.as_str(),
            if v.expected { "yes" } else { "" },
            one_line(&v.rule, 28),
            one_line(v.advice.as_ref().map_or("", |x| x.text.as_str()), 60),
        )?;
    }
    if !a.json {
        writeln!(
            out,
            "\n{shown} of {} recorded failure(s) shown. Matches per rule:",
            rows.len()
        )?;
        for (rule, n) in &per_rule {
            writeln!(out, "  {rule:<36} {n}")?;
        }
        if let Some(name) = a.rule {
            if !per_rule.contains_key(&format!("user:{name}")) {
                writeln!(out, "  (rule user:{name} matched nothing)")?;
            }
        }
    }
    Ok(())
}
