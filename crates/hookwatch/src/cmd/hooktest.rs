//! `hookwatch test`: run any hook command against recorded events or
//! fixtures, as Claude Code runs it (the event on stdin, a shell, its
//! environment variables, no terminal, a timeout), and judge the run by the
//! event's contract (crates/doctor `contract`). `hookwatch fixtures export`
//! writes recorded payloads as fixtures.

use crate::paths::Paths;
use anyhow::{anyhow, bail, Context, Result};
use hookwatch_doctor::contract::{judge, Run, Verdict};
use hookwatch_doctor::Severity;
use serde::Deserialize;
use serde_json::Value;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct Args {
    pub command: Vec<String>,
    pub event_ids: Vec<i64>,
    pub session: Option<String>,
    pub event: Option<String>,
    pub limit: usize,
    pub fixtures: Vec<PathBuf>,
    pub project: Option<PathBuf>,
    pub timeout_s: f64,
    pub variants: bool,
    pub format: String,
}

/// A fixture file's cases (`[[case]]`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixtures {
    #[serde(default)]
    case: Vec<CaseSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseSpec {
    name: String,
    /// A JSON payload file, relative to the TOML file.
    event: Option<PathBuf>,
    /// Or the payload inline.
    payload: Option<toml::Value>,
    expect_outcome: Option<String>,
    expect_exit: Option<i32>,
    stderr_contains: Option<String>,
    stdout_contains: Option<String>,
}

#[derive(Debug, Default, Clone)]
struct Expect {
    outcome: Option<String>,
    exit: Option<i32>,
    stderr_contains: Option<String>,
    stdout_contains: Option<String>,
}

struct Input {
    label: String,
    payload: Value,
    expect: Expect,
}

struct Outcome {
    label: String,
    verdict: Verdict,
    exit: Option<i32>,
    millis: u64,
    stderr: String,
    failures: Vec<String>,
}

pub fn run(a: Args) -> Result<()> {
    if a.command.is_empty() {
        bail!("name the hook command after --: hookwatch test --event-id 42 -- ./my-hook.sh");
    }
    let project = match &a.project {
        Some(p) => p.clone(),
        None => std::env::current_dir()?,
    };
    let inputs = inputs(&a)?;
    if inputs.is_empty() {
        bail!("no events to run: give --event-id, --session, --event or --fixture (`hookwatch events` lists recorded ones; `hookwatch fixtures export DIR` writes fixtures)");
    }
    let command = a.command.join(" ");
    // A git worktree of the project (a session started there has it as its
    // project dir): made for the run, removed after.
    let worktree = if a.variants {
        Worktree::add(&project)
    } else {
        None
    };
    let mut results = Vec::new();
    for input in &inputs {
        let mut runs: Vec<(String, Value, PathBuf, PathBuf)> = vec![(
            input.label.clone(),
            input.payload.clone(),
            project.clone(),
            project.clone(),
        )];
        if a.variants {
            runs.extend(
                variants(input, &project)
                    .into_iter()
                    .map(|(l, p, cwd)| (l, p, cwd, project.clone())),
            );
            if let Some(w) = &worktree {
                let mut p = input.payload.clone();
                p["cwd"] = w.path.display().to_string().into();
                runs.push((
                    format!("{} (in a git worktree)", input.label),
                    p,
                    w.path.clone(),
                    w.path.clone(),
                ));
            }
        }
        for (label, payload, cwd, project_dir) in runs {
            results.push(run_one(
                &command,
                &label,
                &payload,
                &cwd,
                &project_dir,
                a.timeout_s,
                &input.expect,
            )?);
        }
    }
    drop(worktree);
    let failed = results.iter().filter(|r| !r.failures.is_empty()).count();
    match a.format.as_str() {
        "tap" => print_tap(&results),
        "junit" => print_junit(&results),
        "text" => print_text(&results),
        other => bail!("--format takes text, tap or junit, not {other:?}"),
    }
    if failed > 0 {
        bail!("{failed} of {} run(s) failed", results.len());
    }
    Ok(())
}

fn inputs(a: &Args) -> Result<Vec<Input>> {
    let mut out = Vec::new();
    for f in &a.fixtures {
        out.extend(fixture_inputs(f)?);
    }
    if a.event_ids.is_empty() && a.session.is_none() && a.event.is_none() {
        return Ok(out);
    }
    let paths = Paths::resolve();
    let store = crate::cmd::ingest::open_fresh(&paths)?;
    let mut rows = Vec::new();
    for id in &a.event_ids {
        rows.push(
            store
                .event(*id)?
                .ok_or_else(|| anyhow!("no event {id} (`hookwatch events` lists them)"))?,
        );
    }
    if a.session.is_some() || a.event.is_some() {
        rows.extend(store.events(&hookwatch_store::EventFilter {
            session: a.session.clone(),
            event: a.event.clone(),
            limit: Some(a.limit),
            ..Default::default()
        })?);
    }
    for r in rows {
        let Some(p) = r
            .payload
            .as_deref()
            .and_then(|p| serde_json::from_str::<Value>(p).ok())
        else {
            continue;
        };
        out.push(Input {
            label: format!(
                "{} #{}{}",
                r.event,
                r.id,
                r.tool_name.map(|t| format!(" {t}")).unwrap_or_default()
            ),
            payload: p,
            expect: Expect::default(),
        });
    }
    Ok(out)
}

fn fixture_inputs(f: &Path) -> Result<Vec<Input>> {
    let text =
        std::fs::read_to_string(f).with_context(|| format!("cannot read {}", f.display()))?;
    if f.extension().is_some_and(|e| e == "json") {
        let payload: Value =
            serde_json::from_str(&text).with_context(|| format!("{} is not JSON", f.display()))?;
        return Ok(vec![Input {
            label: f.display().to_string(),
            payload,
            expect: Expect::default(),
        }]);
    }
    let fx: Fixtures =
        toml::from_str(&text).map_err(|e| anyhow!("{}: {}", f.display(), e.message().trim()))?;
    let dir = f.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    for c in fx.case {
        let payload = match (&c.event, &c.payload) {
            (Some(p), None) => {
                let path = dir.join(p);
                let t = std::fs::read_to_string(&path).with_context(|| {
                    format!("case {:?}: cannot read {}", c.name, path.display())
                })?;
                serde_json::from_str(&t)
                    .with_context(|| format!("case {:?}: {} is not JSON", c.name, path.display()))?
            }
            (None, Some(v)) => serde_json::to_value(v)?,
            _ => bail!(
                "{}: case {:?} needs exactly one of `event` (a JSON file) or `payload` (inline)",
                f.display(),
                c.name
            ),
        };
        out.push(Input {
            label: c.name,
            payload,
            expect: Expect {
                outcome: c.expect_outcome,
                exit: c.expect_exit,
                stderr_contains: c.stderr_contains,
                stdout_contains: c.stdout_contains,
            },
        });
    }
    Ok(out)
}

/// The same event as Claude Code may also send it: a Stop right after a
/// Stop hook blocked, an MCP tool of a plugin, the session in a
/// subdirectory of the project.
fn variants(input: &Input, project: &Path) -> Vec<(String, Value, PathBuf)> {
    let mut out = Vec::new();
    let p = &input.payload;
    let event = p
        .get("hook_event_name")
        .and_then(Value::as_str)
        .unwrap_or("");
    if matches!(event, "Stop" | "SubagentStop") {
        let mut v = p.clone();
        v["stop_hook_active"] = Value::Bool(true);
        out.push((
            format!("{} (stop_hook_active)", input.label),
            v,
            project.to_path_buf(),
        ));
    }
    if p.get("tool_name").is_some() {
        let mut v = p.clone();
        v["tool_name"] = "mcp__plugin_demo_files__write_file".into();
        v["mcp_server"] = serde_json::json!({"name": "plugin_demo_files", "source": "plugin"});
        out.push((
            format!("{} (as a plugin's MCP tool)", input.label),
            v,
            project.to_path_buf(),
        ));
    }
    let sub = std::fs::read_dir(project)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|d| {
            d.is_dir()
                && !d
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .min();
    if let Some(sub) = sub {
        let mut v = p.clone();
        v["cwd"] = sub.display().to_string().into();
        out.push((
            format!(
                "{} (from {})",
                input.label,
                sub.file_name().unwrap_or_default().to_string_lossy()
            ),
            v,
            sub,
        ));
    }
    out
}

/// A detached worktree of the project's repository, removed on drop.
struct Worktree {
    repo: PathBuf,
    path: PathBuf,
}

impl Worktree {
    fn add(project: &Path) -> Option<Worktree> {
        if !project.join(".git").exists() {
            return None;
        }
        let path =
            std::env::temp_dir().join(format!("hookwatch-test-worktree-{}", std::process::id()));
        let ok = Command::new("git")
            .arg("-C")
            .arg(project)
            .args(["worktree", "add", "--detach", "--quiet"])
            .arg(&path)
            .arg("HEAD")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Worktree {
            repo: project.to_path_buf(),
            path,
        })
    }
}

impl Drop for Worktree {
    fn drop(&mut self) {
        let _ = Command::new("git")
            .arg("-C")
            .arg(&self.repo)
            .args(["worktree", "remove", "--force"])
            .arg(&self.path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn run_one(
    command: &str,
    label: &str,
    payload: &Value,
    cwd: &Path,
    project: &Path,
    timeout_s: f64,
    expect: &Expect,
) -> Result<Outcome> {
    let event = payload
        .get("hook_event_name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let shell = if Path::new("/bin/bash").exists() {
        "/bin/bash"
    } else {
        "/bin/sh"
    };
    let mut cmd = Command::new(shell);
    cmd.arg("-c")
        .arg(command)
        .current_dir(cwd)
        .env("CLAUDE_PROJECT_DIR", project)
        .env("CLAUDECODE", "1")
        .env("CLAUDE_CODE_SESSION_ATTENDED", "1")
        .env_remove("HOOKWATCH_HOME")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(s) = payload.get("session_id").and_then(Value::as_str) {
        cmd.env("CLAUDE_CODE_SESSION_ID", s);
    }
    // No terminal, as under Claude Code: a session of its own.
    unsafe {
        use std::os::unix::process::CommandExt;
        cmd.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .with_context(|| format!("cannot start {shell}"))?;
    // As Claude Code sends it: one line, newline-terminated (`read -r`
    // fails without it).
    let mut input = serde_json::to_vec(payload)?;
    input.push(b'\n');
    let mut stdin = child.stdin.take().expect("piped");
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.by_ref().take(1 << 20).read_to_end(&mut buf);
            let _ = std::io::copy(&mut r, &mut std::io::sink());
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let out = drain(Box::new(child.stdout.take().expect("piped")));
    let err = drain(Box::new(child.stderr.take().expect("piped")));
    let deadline = Duration::from_secs_f64(timeout_s);
    let exit = loop {
        if let Some(st) = child.try_wait()? {
            use std::os::unix::process::ExitStatusExt;
            // Killed by a signal: the shell's 128+N, not a timeout.
            break Some(st.code().unwrap_or_else(|| 128 + st.signal().unwrap_or(0)));
        }
        if start.elapsed() > deadline {
            unsafe {
                libc::kill(-(child.id() as i32), libc::SIGKILL);
            }
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let millis = start.elapsed().as_millis() as u64;
    let _ = writer.join();
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    let verdict = judge(&Run {
        event: &event,
        exit,
        stdout: &stdout,
        stderr: &stderr,
        millis,
        timeout_s,
        stop_hook_active: payload.get("stop_hook_active") == Some(&Value::Bool(true)),
    });
    let mut failures: Vec<String> = verdict
        .checks
        .iter()
        .filter(|c| c.severity == Severity::Error)
        .map(|c| c.message.clone())
        .collect();
    if let Some(o) = &expect.outcome {
        if &verdict.outcome != o {
            failures.push(format!("expected outcome {o}, got {}", verdict.outcome));
        }
    }
    if let Some(e) = expect.exit {
        if exit != Some(e) {
            failures.push(format!(
                "expected exit {e}, got {}",
                exit.map_or("a timeout".into(), |c| c.to_string())
            ));
        }
    }
    if let Some(s) = &expect.stderr_contains {
        if !stderr.contains(s.as_str()) {
            failures.push(format!("stderr does not contain {s:?}"));
        }
    }
    if let Some(s) = &expect.stdout_contains {
        if !stdout.contains(s.as_str()) {
            failures.push(format!("stdout does not contain {s:?}"));
        }
    }
    Ok(Outcome {
        label: label.to_string(),
        verdict,
        exit,
        millis,
        stderr: hookwatch_scrub::scrub_str(stderr.trim()).into_owned(),
        failures,
    })
}

fn print_text(results: &[Outcome]) {
    for r in results {
        let status = if !r.failures.is_empty() {
            "FAIL"
        } else if r
            .verdict
            .checks
            .iter()
            .any(|c| c.severity == Severity::Warning)
        {
            "WARN"
        } else {
            "PASS"
        };
        println!(
            "{status}  {}  → {} (exit {}, {} ms)",
            r.label,
            r.verdict.outcome,
            r.exit.map_or("-".into(), |c| c.to_string()),
            r.millis
        );
        for f in &r.failures {
            println!("      ✗ {f}");
        }
        for c in r
            .verdict
            .checks
            .iter()
            .filter(|c| c.severity != Severity::Error)
        {
            println!(
                "      {} {}",
                if c.severity == Severity::Warning {
                    "!"
                } else {
                    "·"
                },
                c.message
            );
        }
        if !r.stderr.is_empty() && (r.exit != Some(0) || !r.failures.is_empty()) {
            let first: String = r
                .stderr
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(200)
                .collect();
            println!("      stderr: {}", crate::cmd::query::safe(&first));
        }
    }
    let failed = results.iter().filter(|r| !r.failures.is_empty()).count();
    println!(
        "\n{} run(s): {} passed, {failed} failed",
        results.len(),
        results.len() - failed
    );
}

fn print_tap(results: &[Outcome]) {
    println!("TAP version 13\n1..{}", results.len());
    for (i, r) in results.iter().enumerate() {
        let ok = if r.failures.is_empty() {
            "ok"
        } else {
            "not ok"
        };
        println!(
            "{ok} {} - {} → {}",
            i + 1,
            r.label.replace('#', "no."),
            r.verdict.outcome
        );
        if !r.failures.is_empty() {
            println!("  ---");
            for f in &r.failures {
                println!("  - {}", f.replace('\n', " "));
            }
            println!("  ...");
        }
    }
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn print_junit(results: &[Outcome]) {
    let failed = results.iter().filter(|r| !r.failures.is_empty()).count();
    let secs: f64 = results.iter().map(|r| r.millis as f64 / 1000.0).sum();
    println!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    println!(
        "<testsuite name=\"hookwatch test\" tests=\"{}\" failures=\"{failed}\" time=\"{secs:.3}\">",
        results.len()
    );
    for r in results {
        print!(
            "  <testcase name=\"{}\" time=\"{:.3}\"",
            xml(&r.label),
            r.millis as f64 / 1000.0
        );
        if r.failures.is_empty() {
            println!("/>");
        } else {
            println!(
                ">\n    <failure message=\"{}\">{}</failure>\n  </testcase>",
                xml(&r.failures[0]),
                xml(&r.failures.join("\n"))
            );
        }
    }
    println!("</testsuite>");
}

/// `hookwatch fixtures export DIR`: the newest recorded event of each kind
/// (scrubbed, as stored) as DIR/<Event>.json, and a cases.toml to fill in.
pub fn export_fixtures(dir: &Path, events: &[String]) -> Result<()> {
    let paths = Paths::resolve();
    let store = crate::cmd::ingest::open_fresh(&paths)?;
    std::fs::create_dir_all(dir)?;
    let names: Vec<String> = if events.is_empty() {
        hookwatch_event::EVENTS
            .iter()
            .map(|e| e.name.to_string())
            .collect()
    } else {
        events.to_vec()
    };
    let mut toml = String::from("# hookwatch test --fixture cases.toml -- YOUR-HOOK-COMMAND\n# expect_outcome: allow, deny, ask, block, context, stop, error, nothing, …\n");
    let mut n = 0;
    for name in names {
        let rows = store.events(&hookwatch_store::EventFilter {
            event: Some(name.clone()),
            limit: Some(1),
            ..Default::default()
        })?;
        let Some(p) = rows.last().and_then(|r| r.payload.clone()) else {
            continue;
        };
        let v: Value = serde_json::from_str(&p)?;
        let file = dir.join(format!("{name}.json"));
        std::fs::write(&file, serde_json::to_string_pretty(&v)? + "\n")?;
        toml.push_str(&format!(
            "\n[[case]]\nname = \"{name}\"\nevent = \"{name}.json\"\n# expect_outcome = \"\"\n"
        ));
        n += 1;
    }
    if n == 0 {
        bail!("no recorded events to export yet (run Claude Code with hookwatch installed first)");
    }
    std::fs::write(dir.join("cases.toml"), toml)?;
    println!("{n} fixture(s) and cases.toml written to {}", dir.display());
    Ok(())
}
