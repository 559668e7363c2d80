//! `events`, `show`, `stats`, `tail`: read-only views of what was recorded.
//! Every one ingests the spool first, so it sees events recorded a moment ago.

use crate::cli::QueryArgs;
use crate::cmd::ingest::open_fresh;
use crate::paths::Paths;
use crate::timefmt::{now_us, parse_duration, rfc3339};
use anyhow::{anyhow, Result};
use hookwatch_store::{EventFilter, EventRow, Store};
use serde_json::{json, Value};
use std::io::Write;

fn since_us(since: Option<&str>) -> Result<Option<i64>> {
    since
        .map(|s| {
            parse_duration(s)
                .map(|d| now_us() - d)
                .map_err(|e| anyhow!(e))
        })
        .transpose()
}

fn filter(q: &QueryArgs, limit: usize) -> Result<EventFilter> {
    Ok(EventFilter {
        event: q.event.clone(),
        session: q.session.clone(),
        tool: q.tool.clone(),
        since_us: since_us(q.since.as_deref())?,
        after_id: None,
        limit: Some(limit),
    })
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
    if json {
        writeln!(out, "{}", to_json(&r))?;
        return Ok(());
    }
    let v = to_json(&r);
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
    writeln!(out, "\npayload (scrubbed):")?;
    match (&v["payload"], &v["raw"]) {
        (Value::Null, Value::String(raw)) => writeln!(out, "{raw}")?,
        (p, _) => writeln!(out, "{}", serde_json::to_string_pretty(p)?)?,
    }
    Ok(())
}

pub fn stats(since: Option<&str>, json: bool) -> Result<()> {
    let store = open_fresh(&Paths::resolve())?;
    let st = store.stats(since_us(since)?)?;
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string(&st)?)?;
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
    writeln!(out, "\nFailures per tool:")?;
    writeln!(
        out,
        "  {:<32} {:>7} {:>8} {:>6} {:>10}",
        "TOOL", "CALLS", "FAILURES", "RATE", "INTERRUPTS"
    )?;
    for t in &st.per_tool {
        let rate = if t.calls > 0 {
            100.0 * t.failures as f64 / t.calls as f64
        } else {
            0.0
        };
        writeln!(
            out,
            "  {:<32} {:>7} {:>8} {:>5.1}% {:>10}",
            truncate(&t.tool, 32),
            t.calls,
            t.failures,
            rate,
            t.interrupts
        )?;
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
    let matches = |r: &EventRow| {
        q.event.as_ref().is_none_or(|e| *e == r.event)
            && q.session
                .as_ref()
                .is_none_or(|s| Some(s) == r.session_id.as_ref())
            && q.tool
                .as_ref()
                .is_none_or(|t| Some(t) == r.tool_name.as_ref())
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
