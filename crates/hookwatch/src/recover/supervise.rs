//! `hookwatch run -- claude -p "..." [args]`: an unattended Claude Code job
//! in the foreground that survives rate limits. When the run ends on a
//! retryable StopFailure, wait (the reset time the message gave, or a
//! backoff) and resume the same session in this process, with the same
//! caps as background recovery; exit with the last run's status. CI jobs
//! use this instead of a background resume that would outlive the job.

use crate::paths::Paths;
use anyhow::{bail, Result};
use std::process::Command;
use std::time::{Duration, Instant};

/// Claude Code options that take a value: carried over to the resumed run
/// with their value. Other `--options` are carried alone; positional
/// arguments (the prompt) and session options are not.
const WITH_VALUE: &[&str] = &[
    "--allowedTools",
    "--allowed-tools",
    "--disallowedTools",
    "--disallowed-tools",
    "--model",
    "--fallback-model",
    "--output-format",
    "--input-format",
    "--permission-mode",
    "--settings",
    "--add-dir",
    "--mcp-config",
    "--append-system-prompt",
    "--system-prompt",
    "--max-turns",
    "--agents",
    "--setting-sources",
    "--permission-prompt-tool",
    "--debug",
];
const SESSION_OPTS: &[&str] = &[
    "--resume",
    "-r",
    "--continue",
    "-c",
    "--session-id",
    "--print",
    "-p",
    "--fork-session",
];

/// The options of `args` (after the program) to repeat on a resume.
pub fn carried_options(args: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        let name = a.split('=').next().unwrap_or(a);
        let takes_value = WITH_VALUE.contains(&name) && !a.contains('=');
        if SESSION_OPTS.contains(&name) {
            // --resume/--session-id take a value; -p/--print do not.
            if matches!(name, "--resume" | "-r" | "--session-id") && !a.contains('=') {
                i += 1;
            }
        } else if a.starts_with("--") {
            out.push(a.clone());
            if takes_value {
                if let Some(v) = args.get(i + 1) {
                    out.push(v.clone());
                    i += 1;
                }
            }
        }
        i += 1;
    }
    out
}

pub fn run(command: &[String]) -> Result<i32> {
    let Some((program, args)) = command.split_first() else {
        bail!("nothing to run: `hookwatch run -- claude -p \"your task\" [options]`");
    };
    let paths = Paths::resolve();
    let cfg = crate::cmd::load_config(&paths)?.recover;
    let run_id = format!("{:016x}", fastrand::u64(..));
    let carried = carried_options(args);
    let mut argv: Vec<String> = args.to_vec();
    let mut attempt = 0u32;
    let mut seen = 0usize;
    // The resume in progress, recorded like background recovery's jobs so
    // `recover list` and `stats` show what recovery did.
    let mut job: Option<i64> = None;
    loop {
        let status = Command::new(program)
            .args(&argv)
            .env("HOOKWATCH_RUN", &run_id)
            .status()
            .map_err(|e| anyhow::anyhow!("cannot run {program:?}: {e}"))?;
        let code = status.code().unwrap_or(1);
        if let Some(id) = job.take() {
            let (state, outcome) = if status.success() {
                (
                    "succeeded",
                    "the resumed run finished its turn (exit 0; hookwatch run)".to_string(),
                )
            } else {
                (
                    "failed",
                    format!("the resumed run exited with {status} (hookwatch run)"),
                )
            };
            let mut store = crate::cmd::ingest::open_store(&paths)?;
            store.finish_job(
                id,
                &["running"],
                state,
                status.code().map(i64::from),
                &outcome,
                crate::worker::now_us(),
            )?;
        }
        if status.success() {
            if attempt > 0 {
                eprintln!("hookwatch run: recovered after {attempt} resume(s)");
            }
            return Ok(0);
        }
        // StopFailure's hook is not awaited and may be rebuilt only at
        // SessionEnd: give the hooks a moment to land.
        let failure = wait_for_stop_failure(&paths, &run_id, seen)?;
        let Some(row) = failure else {
            eprintln!("hookwatch run: {program} exited with {code} without an API error (no StopFailure): nothing to recover");
            return Ok(code);
        };
        seen = row.0;
        let row = row.1;
        let error_type = row.error.clone().unwrap_or_else(|| "unknown".into());
        let t = super::texts(&row);
        let refs: Vec<&str> = t.iter().map(String::as_str).collect();
        let kind = hookwatch_recover::classify_text(&error_type, &refs);
        let Some(session) = row.session_id.clone() else {
            eprintln!("hookwatch run: the StopFailure has no session id; cannot resume");
            return Ok(code);
        };
        if !kind.retryable() {
            eprintln!(
                "hookwatch run: stopped on {error_type} ({}): resuming would fail the same way; a person must act",
                kind.as_str().replace('_', " ")
            );
            return Ok(code);
        }
        attempt += 1;
        let today = crate::cmd::ingest::open_store(&paths)?
            .resumes_since(crate::worker::now_us() - 86_400_000_000)?;
        let cap = if attempt > cfg.max_attempts_per_session {
            Some(format!(
                "{} resume(s) already (recover.max_attempts_per_session)",
                attempt - 1
            ))
        } else if today >= cfg.max_per_day as i64 {
            Some(format!(
                "{today} resume(s) on this machine in the last 24 h (recover.max_per_day)"
            ))
        } else {
            None
        };
        if let Some(why) = cap {
            eprintln!("hookwatch run: giving up on session {session}: {why}");
            let payload = serde_json::json!({
                "hook_event_name": "RecoveryGaveUp", "session_id": session, "cwd": row.cwd,
                "error": row.error, "reason": why, "stop_failure_event_id": row.id,
                "last_assistant_message": super::payload_str(&row, "last_assistant_message"),
            });
            let _ = super::spool_event(&paths, &payload, row.project.as_deref());
            crate::cmd::ingest::spawn_background_worker(&paths);
            return Ok(code);
        }
        let now = crate::worker::now_us();
        let (due, wait) = super::due(&cfg, &t, attempt, row.time_us, now);
        eprintln!(
            "hookwatch run: {error_type}; resuming session {session} {wait} (attempt {attempt}/{})",
            cfg.max_attempts_per_session
        );
        let left = due - crate::worker::now_us();
        if left > 0 {
            std::thread::sleep(Duration::from_micros(left as u64));
        }
        let mut store = crate::cmd::ingest::open_store(&paths)?;
        job = store.insert_job(
            &hookwatch_store::recover::NewJob {
                session: session.clone(),
                event_id: row.id,
                failure_us: row.time_us,
                project: row.project.clone().or(row.cwd.clone()),
                cwd: row.cwd.clone(),
                error_type: error_type.clone(),
                kind: kind.as_str().into(),
                state: "running".into(),
                attempt: attempt as i64,
                due_us: Some(due),
                wait: Some(format!("{wait} (hookwatch run, in the foreground)")),
                ..Default::default()
            },
            crate::worker::now_us(),
        )?;
        argv = vec![
            "--resume".into(),
            session,
            "-p".into(),
            super::continue_prompt(&cfg, &error_type),
        ];
        argv.extend(carried.iter().cloned());
    }
}

/// The newest StopFailure of this run with an id above `after`, waiting up
/// to a few seconds for its hook (or the SessionEnd rebuild) to land.
fn wait_for_stop_failure(
    paths: &Paths,
    run: &str,
    after: usize,
) -> Result<Option<(usize, hookwatch_store::EventRow)>> {
    let start = Instant::now();
    loop {
        let store = crate::cmd::ingest::open_fresh(paths)?;
        let rows = store.run_stop_failures(run)?;
        if rows.len() > after {
            let n = rows.len();
            // The run's own failure, not a subagent's or an internal helper
            // query's (those carry an agent id, or no message at all).
            let main = rows[after..]
                .iter()
                .rev()
                .find(|r| r.agent_id.is_none() && !super::texts(r).is_empty())
                .cloned();
            if let Some(r) = main {
                return Ok(Some((n, r)));
            }
        }
        if start.elapsed() > Duration::from_secs(5) {
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn carries_options_not_the_prompt_or_the_session() {
        assert_eq!(
            carried_options(&v(&[
                "-p",
                "fix the build",
                "--allowedTools",
                "Bash",
                "--verbose",
                "--model=opus",
                "--resume",
                "abc",
                "--output-format",
                "json"
            ])),
            v(&[
                "--allowedTools",
                "Bash",
                "--verbose",
                "--model=opus",
                "--output-format",
                "json"
            ])
        );
        assert_eq!(
            carried_options(&v(&["--print", "task"])),
            Vec::<String>::new()
        );
    }
}
