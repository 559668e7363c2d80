//! `events`, `show`, `stats`, `tail`: read-only views of what was recorded.
//! Every one ingests the spool first, so it sees events recorded a moment ago.

use crate::cli::{FilterArgs, QueryArgs};
use crate::cmd::ingest::open_fresh;
use crate::paths::Paths;
use crate::timefmt::{now_us, parse_time, rfc3339};
use anyhow::{anyhow, Result};
use hookwatch_store::{EventFilter, EventRow, Store};
use serde_json::{json, Value};
use std::io::Write;

/// `--since`: an age or an RFC 3339 date (`timefmt::parse_time`).
pub fn since_us(since: Option<&str>) -> Result<Option<i64>> {
    since
        .map(|s| parse_time(s, now_us()).map_err(|e| anyhow!(e)))
        .transpose()
}

/// The store's filter for `--event`, `--session`, ... `--since`.
pub fn event_filter(f: &FilterArgs, limit: Option<usize>) -> Result<EventFilter> {
    Ok(EventFilter {
        event: f.event.clone(),
        session: f.session.clone(),
        tool: f.tool.clone(),
        fingerprint: f.fingerprint.clone(),
        class: f.class.clone(),
        since_us: since_us(f.since.as_deref())?,
        limit,
        ..Default::default()
    })
}

fn filter(q: &QueryArgs, limit: usize) -> Result<EventFilter> {
    event_filter(&q.filter, Some(limit))
}

/// The JSON object of one event (`--json` of events, show, tail).
pub fn to_json(r: &EventRow) -> Value {
    let payload = r
        .payload
        .as_deref()
        .map(|p| serde_json::from_str::<Value>(p).unwrap_or_else(|_| Value::String(p.into())))
        .unwrap_or(Value::Null);
    json!({
        "id": r.id,
        "time": rfc3339(r.time_us),
        "event": r.event,
        "session_id": r.session_id,
        "cwd": r.cwd,
        "project": r.project,
        "tool_name": r.tool_name,
        "tool_use_id": r.tool_use_id,
        "agent_id": r.agent_id,
        "error": r.error,
        "is_interrupt": r.is_interrupt,
        "duration_ms": r.duration_ms,
        "truncated": r.truncated,
        "original_size": r.original_size,
        "hash": r.hash,
        "parse_error": r.parse_error,
        "raw": r.raw.as_deref().map(String::from_utf8_lossy),
        "fingerprint": r.fingerprint,
        "class": r.class,
        "severity": r.severity,
        "expected": r.expected,
        "command_head": r.command_head,
        "mcp_server": r.mcp_server,
        "guard_decision": r.guard_decision,
        "outcome": r.outcome.as_deref().and_then(|o| serde_json::from_str::<Value>(o).ok()),
        "payload": payload,
    })
}

/// A short description for the one-line views.
fn detail(r: &EventRow) -> String {
    let p: Value = r
        .payload
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or(Value::Null);
    let s = |v: &Value| v.as_str().map(str::to_owned);
    let text = r
        .parse_error
        .clone()
        .or_else(|| r.error.clone())
        .or_else(|| s(&p["tool_input"]["command"]))
        .or_else(|| s(&p["tool_input"]["file_path"]))
        .or_else(|| s(&p["tool_input"]["pattern"]))
        .or_else(|| s(&p["prompt"]))
        .or_else(|| s(&p["message"]))
        .or_else(|| s(&p["source"]))
        .or_else(|| s(&p["reason"]))
        .unwrap_or_default();
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    truncate(&one_line, 72)
}

/// Whitespace collapsed, control characters escaped (recorded text is the
/// agent's: it must not move the cursor or recolour a terminal), cut to `n`.
pub fn one_line(s: &str, n: usize) -> String {
    truncate(
        &safe(&s.split_whitespace().collect::<Vec<_>>().join(" ")),
        n,
    )
}

/// Control characters escaped for printing on a terminal.
pub fn safe(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let esc: Vec<char> = if c.is_control() && c != '\n' && c != '\t' {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            esc
        })
        .collect()
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

fn print_row(out: &mut impl Write, r: &EventRow, json: bool) -> std::io::Result<()> {
    if json {
        return writeln!(out, "{}", to_json(r));
    }
    let time = rfc3339(r.time_us);
    let session = r.session_id.as_deref().unwrap_or("-");
    writeln!(
        out,
        "{:>6}  {}  {:<18}  {:<10}  {:<8}  {}",
        r.id,
        &time[..19].replace('T', " "),
        if r.event.is_empty() { "?" } else { &r.event },
        truncate(r.tool_name.as_deref().unwrap_or("-"), 10),
        session.chars().take(8).collect::<String>(),
        detail(r)
    )
}

fn header(out: &mut impl Write) -> std::io::Result<()> {
    writeln!(
        out,
        "{:>6}  {:<19}  {:<18}  {:<10}  {:<8}  DETAIL",
        "ID", "TIME (UTC)", "EVENT", "TOOL", "SESSION"
    )
}

pub fn events(q: &QueryArgs, limit: usize) -> Result<()> {
    let store = open_fresh(&Paths::resolve())?;
    let rows = store.events(&filter(q, limit)?)?;
    let mut out = std::io::stdout().lock();
    if !q.json {
        if rows.is_empty() {
            writeln!(out, "no events recorded yet (is the hook installed? `hookwatch install`, or try `hookwatch demo`)")?;
            return Ok(());
        }
        header(&mut out)?;
    }
    for r in &rows {
        print_row(&mut out, r, q.json)?;
    }
    Ok(())
}

pub fn show(id: i64, json: bool) -> Result<()> {
    let store = open_fresh(&Paths::resolve())?;
    let r = store
        .event(id)?
        .ok_or_else(|| anyhow!("no event with id {id} (list them with `hookwatch events`)"))?;
    let mut out = std::io::stdout().lock();
    let v = to_json(&r);
    let diagnosis = (r.event == "StopFailure").then(|| crate::recover::diagnosis::of(&store, &r));
    if json {
        let mut v = v;
        v["diagnosis"] = serde_json::to_value(&diagnosis)?;
        writeln!(out, "{v}")?;
        return Ok(());
    }
    for key in [
        "id",
        "time",
        "event",
        "session_id",
        "project",
        "cwd",
        "tool_name",
        "tool_use_id",
        "agent_id",
        "error",
        "is_interrupt",
        "duration_ms",
        "parse_error",
        "fingerprint",
        "class",
        "severity",
        "expected",
        "command_head",
        "mcp_server",
        "guard_decision",
    ] {
        match &v[key] {
            Value::Null => {}
            Value::String(s) => writeln!(out, "{key:>13}: {s}")?,
            other => writeln!(out, "{key:>13}: {other}")?,
        }
    }
    if r.truncated {
        writeln!(
            out,
            "{:>13}: yes ({} bytes received, blake3 {})",
            "truncated",
            r.original_size,
            r.hash.as_deref().unwrap_or("-")
        )?;
    }
    if let Some(d) = &diagnosis {
        writeln!(out, "\ndiagnosis:")?;
        writeln!(
            out,
            "  {} ({}) at {}",
            d.error_type,
            d.kind.replace('_', " "),
            crate::timefmt::rfc3339(d.time_us)
        )?;
        if let Some(m) = &d.message {
            writeln!(out, "  message: {}", one_line(m, 300))?;
        }
        if let Some(p) = &d.prompt_id {
            writeln!(out, "  prompt id: {p}")?;
        }
        if let Some(h) = &d.hint {
            writeln!(out, "  reset: {h}")?;
        }
        writeln!(out, "  last tool calls of the session (newest first):")?;
        if d.last_tools.is_empty() {
            writeln!(out, "    (none)")?;
        }
        for t in &d.last_tools {
            writeln!(
                out,
                "    {:>6}  {:<10} {}{}",
                t.event_id,
                truncate(&t.tool, 10),
                one_line(t.what.as_deref().unwrap_or(""), 80),
                if t.failed { "  FAILED" } else { "" }
            )?;
        }
        writeln!(
            out,
            "  tool failures in the session: {}",
            d.tool_failures_in_session
        )?;
        writeln!(
            out,
            "  API failures in the last hour: {} in this session, {} on this machine",
            d.api_failures_session_last_hour, d.api_failures_machine_last_hour
        )?;
        if let Some(r) = &d.recovery {
            writeln!(out, "  recovery: {}", one_line(r, 200))?;
        }
    }
    if let Some(o) = v["outcome"].as_object() {
        writeln!(out, "\nhookwatch's answer:")?;
        writeln!(out, "{}", serde_json::to_string_pretty(o)?)?;
    }
    writeln!(out, "\npayload (scrubbed):")?;
    match (&v["payload"], &v["raw"]) {
        (Value::Null, Value::String(raw)) => writeln!(out, "{raw}")?,
        (p, _) => writeln!(out, "{}", serde_json::to_string_pretty(p)?)?,
    }
    Ok(())
}

pub fn stats(since: Option<&str>, json: bool) -> Result<()> {
    let store = open_fresh(&Paths::resolve())?;
    let cfg = crate::config::load(&Paths::resolve().config_file)
        .map(|l| l.config)
        .unwrap_or_default();
    let since_us = since_us(since)?;
    let st = store.stats(since_us, cfg.failure.repeat_threshold)?;
    let alerts = store.outbox_summary(since_us.unwrap_or(i64::MIN))?;
    let recovery: std::collections::BTreeMap<String, i64> = store
        .job_counts(since_us.unwrap_or(i64::MIN))?
        .into_iter()
        .collect();
    let mut out = std::io::stdout().lock();
    if json {
        let mut v = serde_json::to_value(&st)?;
        v["alerts"] = serde_json::to_value(&alerts)?;
        v["recovery"] = serde_json::to_value(&recovery)?;
        writeln!(out, "{v}")?;
        return Ok(());
    }
    writeln!(
        out,
        "{} events in {} sessions{}",
        st.events,
        st.sessions,
        since.map(|s| format!(" (last {s})")).unwrap_or_default()
    )?;
    if st.unparseable > 0 {
        writeln!(
            out,
            "{} events could not be parsed (see `hookwatch events`)",
            st.unparseable
        )?;
    }
    let tool_table = |out: &mut std::io::StdoutLock,
                      title: &str,
                      first: &str,
                      rows: &[hookwatch_store::ToolStat]|
     -> std::io::Result<()> {
        writeln!(out, "\n{title}:")?;
        writeln!(
            out,
            "  {:<32} {:>7} {:>8} {:>6} {:>10}",
            first, "CALLS", "FAILURES", "RATE", "INTERRUPTS"
        )?;
        for t in rows {
            writeln!(
                out,
                "  {:<32} {:>7} {:>8} {:>5.1}% {:>10}",
                truncate(&t.tool, 32),
                t.calls,
                t.failures,
                100.0 * t.failures as f64 / t.calls.max(1) as f64,
                t.interrupts
            )?;
        }
        Ok(())
    };
    tool_table(&mut out, "Failures per tool", "TOOL", &st.per_tool)?;
    if !st.per_mcp_server.is_empty() {
        tool_table(
            &mut out,
            "Failures per MCP server",
            "SERVER",
            &st.per_mcp_server,
        )?;
    }
    writeln!(out, "\nFailures per class:")?;
    if st.per_class.is_empty() {
        writeln!(out, "  (none)")?;
    }
    for c in &st.per_class {
        writeln!(
            out,
            "  {:<32} {:>7}  ({} expected)",
            c.class, c.failures, c.expected
        )?;
    }
    writeln!(out, "\nTop failure fingerprints:")?;
    if st.top_fingerprints.is_empty() {
        writeln!(out, "  (none)")?;
    }
    for f in &st.top_fingerprints {
        writeln!(
            out,
            "  {}  {:>5}x in {} session(s)  {:<10} {:<22} {:<18}{} last: hookwatch show {}",
            f.fingerprint,
            f.count,
            f.sessions,
            truncate(f.tool.as_deref().unwrap_or("-"), 10),
            truncate(f.command_head.as_deref().unwrap_or("-"), 22),
            f.class.as_deref().unwrap_or("-"),
            if f.expected { " expected" } else { "" },
            f.last_id
        )?;
    }
    if !st.repeated.is_empty() {
        writeln!(
            out,
            "\nRepeated failures (same fingerprint in one session):"
        )?;
        for r in &st.repeated {
            writeln!(
                out,
                "  session {}  {}  {:>4}x  {} {}  (hookwatch events --fingerprint {})",
                r.session_id.chars().take(8).collect::<String>(),
                r.fingerprint,
                r.count,
                r.tool.as_deref().unwrap_or("-"),
                r.command_head.as_deref().unwrap_or(""),
                r.fingerprint
            )?;
        }
    }
    if !st.guard.is_empty() {
        writeln!(out, "\nGuard decisions (hookwatch guard log):")?;
        for g in &st.guard {
            writeln!(out, "  {:<14} {:<30} {:>7}", g.decision, g.policy, g.count)?;
        }
    }
    let section = |out: &mut std::io::StdoutLock,
                   title: &str,
                   rows: &[hookwatch_store::Count]|
     -> std::io::Result<()> {
        writeln!(out, "\n{title}:")?;
        if rows.is_empty() {
            writeln!(out, "  (none)")?;
        }
        for c in rows {
            writeln!(
                out,
                "  {:<48} {:>7}",
                truncate(if c.key.is_empty() { "?" } else { &c.key }, 48),
                c.count
            )?;
        }
        Ok(())
    };
    section(&mut out, "Events", &st.per_event)?;
    section(
        &mut out,
        "Failures per project (PostToolUseFailure + StopFailure)",
        &st.failures_per_project,
    )?;
    section(&mut out, "StopFailure per error type", &st.stop_failures)?;
    if !recovery.is_empty() {
        writeln!(out, "\nRecovery of StopFailures (hookwatch recover list):")?;
        for (state, n) in &recovery {
            writeln!(out, "  {state:<14} {n:>7}")?;
        }
    }
    if alerts != hookwatch_store::outbox::OutboxSummary::default() {
        writeln!(out, "\nAlerts (hookwatch alerts):")?;
        writeln!(
            out,
            "  notifications: {} sent, {} pending, {} dead",
            alerts.sent, alerts.pending, alerts.dead
        )?;
        writeln!(
            out,
            "  alerts not sent: {} deduplicated, {} silenced, {} inhibited; {} waiting for their group",
            alerts.deduplicated, alerts.silenced, alerts.inhibited, alerts.waiting_alerts
        )?;
    }
    Ok(())
}

pub fn tail(q: &QueryArgs, limit: usize, interval_ms: u64) -> Result<()> {
    let paths = Paths::resolve();
    let mut store: Store = open_fresh(&paths)?;
    let first = store.events(&filter(q, limit)?)?;
    let mut out = std::io::stdout();
    if !q.json {
        header(&mut out.lock())?;
    }
    // Follow from the newest row overall, not the newest matching one, so a
    // filtered tail does not replay older events.
    let mut last = store
        .events(&EventFilter {
            limit: Some(1),
            ..Default::default()
        })?
        .last()
        .map(|r| r.id)
        .unwrap_or(0);
    for r in &first {
        print_row(&mut out.lock(), r, q.json)?;
    }
    out.flush()?;
    let f = &q.filter;
    let matches = |r: &EventRow| {
        f.event.as_ref().is_none_or(|e| *e == r.event)
            && f.session
                .as_ref()
                .is_none_or(|s| Some(s) == r.session_id.as_ref())
            && f.tool
                .as_ref()
                .is_none_or(|t| Some(t) == r.tool_name.as_ref())
            && f.fingerprint
                .as_ref()
                .is_none_or(|f| Some(f) == r.fingerprint.as_ref())
            && f.class.as_ref().is_none_or(|c| Some(c) == r.class.as_ref())
    };
    loop {
        std::thread::sleep(std::time::Duration::from_millis(interval_ms));
        store.ingest(&paths.spool_dirs())?;
        // Unfiltered, then filtered here: `last` must advance past rows that
        // do not match, in one consistent read.
        let rows = store.events(&EventFilter {
            after_id: Some(last),
            ..Default::default()
        })?;
        for r in rows.iter().filter(|r| matches(r)) {
            print_row(&mut out.lock(), r, q.json)?;
        }
        if let Some(r) = rows.last() {
            last = r.id;
        }
        out.flush()?;
    }
}
