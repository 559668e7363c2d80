//! `hookwatch guard`: try a command against the policies, read the audit
//! log, list the policies, and let a person waive one block.

use crate::cmd::ingest::open_fresh;
use crate::cmd::load_config;
use crate::cmd::query::{one_line, safe, since_us};
use crate::paths::Paths;
use crate::timefmt::{now_us, parse_duration, rfc3339};
use anyhow::{anyhow, bail, Context, Result};
use hookwatch_store::{EventFilter, EventRow};
use serde_json::{json, Value};
use std::io::{BufRead, Write};

/// The tool input a typed command line or path stands for, scrubbed exactly
/// as the hook scrubs an event (the serialised JSON, escapes and all), so it
/// matches what the hook saw.
fn tool_input(tool: &str, subject: &str) -> Value {
    let field = match tool {
        "Bash" => "command",
        "NotebookEdit" => "notebook_path",
        _ => "file_path",
    };
    let raw = json!({ "tool_input": { field: subject } }).to_string();
    let scrubbed = hookwatch_scrub::scrub(raw.as_bytes());
    serde_json::from_slice::<Value>(&scrubbed)
        .map(|v| v["tool_input"].clone())
        .unwrap_or_else(|_| json!({ field: "[unreadable]" }))
}

pub fn test(tool: &str, cwd: Option<&str>, words: &[String], json_out: bool) -> Result<()> {
    let paths = Paths::resolve();
    let cfg = load_config(&paths)?;
    let input = tool_input(tool, &words.join(" "));
    let cwd = match cwd {
        Some(c) => c.to_owned(),
        None => std::env::current_dir()?.display().to_string(),
    };
    let project = std::env::var("CLAUDE_PROJECT_DIR").ok();
    let mut errors = Vec::new();
    let out = crate::guard::evaluate(
        &paths,
        &cfg.guard,
        tool,
        &input,
        &cwd,
        project.as_deref(),
        &mut errors,
    );
    errors.extend(out.errors);
    if json_out {
        println!(
            "{}",
            json!({"tool": tool, "input": input, "cwd": cwd, "verdict": out.verdict, "errors": errors})
        );
        return Ok(());
    }
    match &out.verdict {
        None => println!("no decision: hookwatch lets Claude Code's own permission flow decide"),
        Some(v) => {
            println!("{:?} by {}", v.decision, v.policy);
            if let Some(c) = &v.command {
                println!("  matched: {}", safe(c));
            }
            println!("  reason:  {}", v.reason);
        }
    }
    for e in &errors {
        println!("  internal error (fail open): {e}");
    }
    Ok(())
}

pub fn policies(json_out: bool) -> Result<()> {
    let paths = Paths::resolve();
    let cfg = load_config(&paths)?;
    let mut out = std::io::stdout().lock();
    let list: Vec<Value> = hookwatch_guard::policies()
        .iter()
        .map(|p| {
            // Self-protection runs whatever the config says.
            let on = p.id == "self-protect"
                || (cfg.guard.enabled && !cfg.guard.disable.iter().any(|d| d == p.id));
            json!({
                "id": p.id,
                "summary": p.summary,
                "enabled": on,
                "fail_closed": cfg.guard.fail_closed.iter().any(|f| f == p.id || f == "*"),
            })
        })
        .collect();
    if json_out {
        for p in &list {
            writeln!(out, "{p}")?;
        }
        for r in &cfg.guard.rules {
            writeln!(
                out,
                "{}",
                json!({"id": format!("rule:{}", r.name), "user_rule": r})
            )?;
        }
        return Ok(());
    }
    writeln!(out, "Built-in policies (deny):")?;
    for p in &list {
        writeln!(
            out,
            "  {:<24} {}{}{}",
            p["id"].as_str().unwrap_or(""),
            if p["enabled"] == true {
                ""
            } else {
                "[disabled] "
            },
            if p["fail_closed"] == true {
                "[fail closed] "
            } else {
                ""
            },
            p["summary"].as_str().unwrap_or("")
        )?;
    }
    writeln!(
        out,
        "\nUser rules ([[guard.rules]] in {}):",
        paths.config_file.display()
    )?;
    if cfg.guard.rules.is_empty() {
        writeln!(out, "  (none)")?;
    }
    for r in &cfg.guard.rules {
        let conditions = serde_json::to_value(r)
            .ok()
            .and_then(|v| v.as_object().cloned())
            .map(|m| {
                m.into_iter()
                    .filter(|(k, v)| !v.is_null() && k != "name" && k != "decision")
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default();
        writeln!(out, "  rule:{:<19} {:?} {conditions}", r.name, r.decision)?;
    }
    Ok(())
}

pub fn log(
    decision: Option<&str>,
    since: Option<&str>,
    limit: usize,
    json_out: bool,
) -> Result<()> {
    let store = open_fresh(&Paths::resolve())?;
    let rows = store.events(&EventFilter {
        event: Some("PreToolUse".into()),
        guard: Some(decision.unwrap_or("any").to_owned()),
        since_us: since_us(since)?,
        limit: Some(limit),
        ..Default::default()
    })?;
    let mut out = std::io::stdout().lock();
    if !json_out && rows.is_empty() {
        writeln!(out, "no guard decisions recorded")?;
        return Ok(());
    }
    if !json_out {
        writeln!(
            out,
            "{:>6}  {:<19}  {:<12}  {:<22}  {:<8}  COMMAND / REASON",
            "ID", "TIME (UTC)", "DECISION", "POLICY", "SESSION"
        )?;
    }
    for r in &rows {
        let g = guard_of(r);
        if json_out {
            writeln!(
                out,
                "{}",
                json!({
                    "id": r.id,
                    "time": rfc3339(r.time_us),
                    "session_id": r.session_id,
                    "cwd": r.cwd,
                    "tool_name": r.tool_name,
                    "decision": g["decision"],
                    "policy": g["policy"],
                    "reason": g["reason"],
                    "command": g["command"],
                    "input": subject_of(r),
                })
            )?;
            continue;
        }
        let what = g["command"]
            .as_str()
            .map(str::to_owned)
            .or_else(|| subject_of(r))
            .unwrap_or_default();
        writeln!(
            out,
            "{:>6}  {}  {:<12}  {:<22}  {:<8}  {}",
            r.id,
            &rfc3339(r.time_us)[..19].replace('T', " "),
            g["decision"].as_str().unwrap_or("?"),
            g["policy"].as_str().unwrap_or(""),
            one_line(r.session_id.as_deref().unwrap_or("-"), 8),
            one_line(&what, 60),
        )?;
        if let Some(reason) = g["reason"].as_str() {
            writeln!(out, "{:>6}  {}", "", one_line(reason, 110))?;
        }
    }
    Ok(())
}

fn guard_of(r: &EventRow) -> Value {
    r.outcome
        .as_deref()
        .and_then(|o| serde_json::from_str::<Value>(o).ok())
        .map(|o| o["guard"].clone())
        .unwrap_or(Value::Null)
}

fn payload_of(r: &EventRow) -> Value {
    r.payload
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or(Value::Null)
}

/// The command or path of a recorded tool call.
fn subject_of(r: &EventRow) -> Option<String> {
    crate::guard::subject(&payload_of(r)["tool_input"]).map(str::to_owned)
}

/// Longest a waiver may live: it is for "the call I am about to ask the
/// agent to retry", not a standing permission.
const MAX_TTL_US: i64 = 24 * 3600 * 1_000_000;

pub struct AllowOnce<'a> {
    pub last: bool,
    pub id: Option<i64>,
    pub tool: &'a str,
    pub words: &'a [String],
    pub ttl: &'a str,
    pub yes: bool,
}

/// A waiver for one blocked call. Only a person may grant it: the guard
/// denies the agent running this command, and it refuses to run without a
/// terminal unless HOOKWATCH_ALLOW_ONCE_NO_TTY=1 (for scripts a person runs).
/// This slows an agent down; it is not a security boundary against code
/// running as the same user.
pub fn allow_once(a: &AllowOnce) -> Result<()> {
    let interactive = unsafe { libc::isatty(0) == 1 };
    let scripted = std::env::var("HOOKWATCH_ALLOW_ONCE_NO_TTY").is_ok_and(|v| v == "1");
    if !interactive && !scripted {
        bail!(
            "allow-once must be run by a person in a terminal (stdin is not a TTY); \
             for a script you run yourself, set HOOKWATCH_ALLOW_ONCE_NO_TTY=1"
        );
    }
    let ttl_us = parse_duration(a.ttl).map_err(|e| anyhow!(e))?;
    if ttl_us > MAX_TTL_US {
        bail!("--ttl {} is longer than 24h; a waiver is for one retry, not a standing permission (use a [[guard.rules]] allow rule for that)", a.ttl);
    }
    let paths = Paths::resolve();
    let store = open_fresh(&paths)?;
    let denies = || {
        store.events(&EventFilter {
            event: Some("PreToolUse".into()),
            guard: Some("deny".into()),
            limit: Some(1000),
            ..Default::default()
        })
    };
    let (tool, what, key) = if a.last || a.id.is_some() {
        let row = match a.id {
            Some(id) => store
                .event(id)?
                .ok_or_else(|| anyhow!("no event with id {id} (see `hookwatch guard log`)"))?,
            // Self-protection denials are never waived, so never "the last".
            None => denies()?
                .into_iter()
                .rev()
                .find(|r| guard_of(r)["policy"] != "self-protect")
                .ok_or_else(|| anyhow!("no denied call recorded (see `hookwatch guard log`)"))?,
        };
        let g = guard_of(&row);
        if row.event != "PreToolUse" || g["decision"] != "deny" {
            bail!(
                "event {} is not a denied tool call (see `hookwatch guard log`)",
                row.id
            );
        }
        if g["policy"] == "self-protect" {
            bail!("event {} was denied by self-protect: that protects hookwatch itself and cannot be waived", row.id);
        }
        let tool = row.tool_name.clone().unwrap_or_default();
        let key = g["waiver_key"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| crate::guard::waiver_key(&tool, &payload_of(&row)["tool_input"]));
        (tool, subject_of(&row).unwrap_or_default(), key)
    } else {
        if a.words.is_empty() {
            bail!("say what to allow: --last, --id ID, or the exact command (quoted, as one argument)");
        }
        let input = tool_input(a.tool, &a.words.join(" "));
        let key = crate::guard::waiver_key(a.tool, &input);
        let what = crate::guard::subject(&input).unwrap_or("").to_owned();
        if !denies()?
            .iter()
            .any(|r| guard_of(r)["waiver_key"] == key.as_str())
        {
            eprintln!(
                "hookwatch: note: no recorded denial matches this exact {} call; the waiver only \
                 applies to an identical one",
                a.tool
            );
        }
        (a.tool.to_owned(), what, key)
    };
    println!("{tool}: {}", safe(&what));
    if interactive && !a.yes {
        print!("Let this exact call through hookwatch's guard once? [y/N] ");
        std::io::stdout().flush()?;
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        if !matches!(line.trim(), "y" | "Y" | "yes") {
            bail!("not allowed");
        }
    }
    let dir = paths.allow_once();
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let body = json!({
        "tool": tool,
        "subject": what,
        "created_us": now_us(),
        "expires_us": now_us() + ttl_us,
        "by": std::env::var("USER").unwrap_or_default(),
    });
    // Written whole, then renamed: the hook never reads half a waiver.
    let tmp = dir.join(format!(".{key}.{}", std::process::id()));
    std::fs::write(&tmp, body.to_string())?;
    std::fs::rename(&tmp, dir.join(&key))?;
    println!(
        "allowed once, for the next {}: the next identical call passes hookwatch's guard \
         (Claude Code's own permission rules still apply)",
        a.ttl
    );
    Ok(())
}
