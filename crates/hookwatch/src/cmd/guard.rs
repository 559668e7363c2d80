//! `hookwatch guard`: try a command against the policies, read the audit
//! log, list the policies, and let a person waive one block.

use crate::cmd::ingest::open_fresh;
use crate::cmd::query::one_line;
use crate::config::{load, Config};
use crate::paths::Paths;
use crate::timefmt::{now_us, parse_duration, rfc3339};
use anyhow::{anyhow, bail, Context, Result};
use hookwatch_store::{EventFilter, EventRow};
use serde_json::{json, Value};
use std::io::Write;

fn config(paths: &Paths) -> Result<Config> {
    Ok(load(&paths.config_file).map_err(|e| anyhow!(e))?.config)
}

/// The tool input a command line or path stands for.
fn tool_input(tool: &str, subject: &str) -> Value {
    match tool {
        "Bash" => json!({ "command": subject }),
        "NotebookEdit" => json!({ "notebook_path": subject }),
        _ => json!({ "file_path": subject }),
    }
}

pub fn test(tool: &str, cwd: Option<&str>, words: &[String], json_out: bool) -> Result<()> {
    let paths = Paths::resolve();
    let cfg = config(&paths)?;
    let guard = crate::guard::build(&cfg.guard).map_err(|e| anyhow!("[guard] config: {e}"))?;
    let subject = words.join(" ");
    // What the hook would see: the scrubbed input.
    let subject = hookwatch_scrub::scrub_str(&subject).into_owned();
    let input = tool_input(tool, &subject);
    let cwd = match cwd {
        Some(c) => c.to_owned(),
        None => std::env::current_dir()?.display().to_string(),
    };
    let project = std::env::var("CLAUDE_PROJECT_DIR").ok();
    let home = std::env::var("HOME").ok();
    let protected = crate::guard::protected_dirs(&paths);
    let req = hookwatch_guard::Request {
        tool_name: tool,
        tool_input: &input,
        cwd: &cwd,
        project_dir: project.as_deref(),
        home: home.as_deref(),
        protected_dirs: &protected,
    };
    let git = hookwatch_guard::RealGit {
        timeout: std::time::Duration::from_millis(cfg.guard.git_timeout_ms),
    };
    let out = guard.evaluate(&req, &git);
    if json_out {
        println!(
            "{}",
            json!({"tool": tool, "input": input, "cwd": cwd, "verdict": out.verdict, "errors": out.errors})
        );
        return Ok(());
    }
    match &out.verdict {
        None => println!("no decision: hookwatch lets Claude Code's own permission flow decide"),
        Some(v) => {
            println!("{:?} by {}", v.decision, v.policy);
            if let Some(c) = &v.command {
                println!("  matched: {c}");
            }
            println!("  reason:  {}", v.reason);
        }
    }
    for e in &out.errors {
        println!("  internal error (fail open): {e}");
    }
    Ok(())
}

pub fn policies(json_out: bool) -> Result<()> {
    let paths = Paths::resolve();
    let cfg = config(&paths)?;
    let mut out = std::io::stdout().lock();
    let list: Vec<Value> = hookwatch_guard::policies()
        .iter()
        .map(|p| {
            json!({
                "id": p.id,
                "summary": p.summary,
                "enabled": cfg.guard.enabled && !cfg.guard.disable.iter().any(|d| d == p.id),
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
        writeln!(
            out,
            "  rule:{:<19} {:?} {}",
            r.name,
            r.decision,
            toml_inline(r)
        )?;
    }
    Ok(())
}

fn toml_inline<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_object().cloned())
        .map(|m| {
            m.into_iter()
                .filter(|(k, v)| !v.is_null() && k != "name" && k != "decision")
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

pub fn log(
    decision: Option<&str>,
    since: Option<&str>,
    limit: usize,
    json_out: bool,
) -> Result<()> {
    let store = open_fresh(&Paths::resolve())?;
    let since_us = since
        .map(|s| {
            parse_duration(s)
                .map(|d| now_us() - d)
                .map_err(|e| anyhow!(e))
        })
        .transpose()?;
    let rows = store.events(&EventFilter {
        event: Some("PreToolUse".into()),
        guard: Some(decision.unwrap_or("any").to_owned()),
        since_us,
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
            r.session_id
                .as_deref()
                .unwrap_or("-")
                .chars()
                .take(8)
                .collect::<String>(),
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
    let p = payload_of(r);
    ["command", "file_path", "notebook_path", "path"]
        .iter()
        .find_map(|k| p["tool_input"][*k].as_str().map(str::to_owned))
}

/// A waiver for one blocked call. Only a person may grant it: the guard
/// denies the agent running this command, and it refuses to run without a
/// terminal unless HOOKWATCH_ALLOW_ONCE_NO_TTY=1 (for scripts a person runs).
pub fn allow_once(
    last: bool,
    id: Option<i64>,
    tool: &str,
    words: &[String],
    ttl: &str,
) -> Result<()> {
    let interactive = unsafe { libc::isatty(0) == 1 };
    let scripted = std::env::var("HOOKWATCH_ALLOW_ONCE_NO_TTY").is_ok_and(|v| v == "1");
    if !interactive && !scripted {
        bail!(
            "allow-once must be run by a person in a terminal (stdin is not a TTY); \
             for a script you run yourself, set HOOKWATCH_ALLOW_ONCE_NO_TTY=1"
        );
    }
    let ttl_us = parse_duration(ttl).map_err(|e| anyhow!(e))?;
    let paths = Paths::resolve();
    let (tool, input, what) = if last || id.is_some() {
        let store = open_fresh(&paths)?;
        let row = match id {
            Some(id) => store
                .event(id)?
                .ok_or_else(|| anyhow!("no event with id {id} (see `hookwatch guard log`)"))?,
            None => store
                .events(&EventFilter {
                    event: Some("PreToolUse".into()),
                    guard: Some("deny".into()),
                    limit: Some(1),
                    ..Default::default()
                })?
                .pop()
                .ok_or_else(|| anyhow!("no denied call recorded (see `hookwatch guard log`)"))?,
        };
        if row.event != "PreToolUse" {
            bail!("event {} is a {}, not a PreToolUse", row.id, row.event);
        }
        let p = payload_of(&row);
        let tool = row.tool_name.clone().unwrap_or_default();
        let what = subject_of(&row).unwrap_or_default();
        (tool, p["tool_input"].clone(), what)
    } else {
        if words.is_empty() {
            bail!("say what to allow: --last, --id ID, or the exact command");
        }
        let subject = hookwatch_scrub::scrub_str(&words.join(" ")).into_owned();
        (tool.to_owned(), tool_input(tool, &subject), subject)
    };
    let key = crate::guard::waiver_key(&tool, &input);
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
        "allowed once, for the next {ttl}: {tool} {}\nthe next identical call passes hookwatch's guard (Claude Code's own permission rules still apply)",
        one_line(&what, 100)
    );
    Ok(())
}
