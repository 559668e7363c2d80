//! One resume job: a detached process (`hookwatch recover exec ID`) that
//! waits until the job is due, checks it is still wanted, runs
//! `claude --resume SESSION -p PROMPT` in the session's directory with the
//! environment it inherited from the session's hook, and records how it
//! ended. The runner is the timer: no hook needs to fire for a resume that
//! is due hours later.

use crate::paths::Paths;
use std::time::Duration;

/// Start the runner for `id`, detached as the worker is.
pub fn spawn(id: i64) -> Option<u32> {
    crate::cmd::ingest::spawn_detached(&["recover", "exec", &id.to_string()])
}

/// Events that do not mean anyone continued the session: the failed run's
/// own end.
const NOT_ACTIVITY: &[&str] = &[
    "StopFailure",
    "SessionEnd",
    "Notification",
    "RecoveryGaveUp",
    // A wrapped hook's own record (`install --wrap`), not a person.
    "HookRun",
];

pub fn exec(id: i64) -> anyhow::Result<()> {
    let paths = Paths::resolve();
    let log = |m: String| crate::worker::log_line(&paths, &format!("recover job {id}: {m}"));
    let cfg = crate::config::load(&paths.config_file)
        .map(|l| l.config.recover)
        .unwrap_or_else(|_| crate::config::load_lenient(&paths.config_file).0.recover);
    // Known alive from here on: the scheduler restarts only dead runners.
    crate::cmd::ingest::open_store(&paths)?.set_runner(id, std::process::id() as i64)?;
    // Wait until due, looking for cancel / run-now every second.
    let job = loop {
        let store = crate::cmd::ingest::open_store(&paths)?;
        let Some(job) = store.job(id)? else {
            anyhow::bail!("no recovery job {id}");
        };
        if job.state != "scheduled" {
            return Ok(());
        }
        let now = crate::worker::now_us();
        let due = job.due_us.unwrap_or(now);
        if due <= now {
            break job;
        }
        drop(store);
        std::thread::sleep(Duration::from_micros(
            (due - now).clamp(10_000, 1_000_000) as u64
        ));
    };
    let mut store = crate::cmd::ingest::open_fresh(&paths)?;
    let now = crate::worker::now_us();
    // Claude Code 2.1.330 resumes an interactive session stopped on a quota
    // itself: two resumers would each send the turn again. Decided at due
    // time, so a `quota_auto_resume_*` Notification that came after the
    // failure counts.
    let auto = store.claude_auto_resume(&job.session, job.failure_us - 60_000_000)?;
    let attended = store
        .event(job.event_id)?
        .and_then(|e| e.outcome)
        .and_then(|o| serde_json::from_str::<serde_json::Value>(&o).ok())
        .is_some_and(|o| o.get("attended") == Some(&serde_json::Value::Bool(true)));
    let why = match auto.as_deref() {
        Some("quota_auto_resume_fired") => Some("not resumed: Claude Code resumed the session itself (Notification quota_auto_resume_fired)"),
        Some("quota_auto_resume_disabled") => None,
        _ if attended && job.error_type == "rate_limit" => Some("not resumed: an interactive session stopped on a rate limit, and Claude Code arms its own quota auto-resume for it (it did not say quota_auto_resume_disabled): the session is left to Claude Code"),
        _ => None,
    };
    if let Some(why) = why {
        store.finish_job(id, &["scheduled"], "skipped", None, why, now)?;
        log(why.to_string());
        return Ok(());
    }
    let activity = store.session_activity(&job.session, job.failure_us, NOT_ACTIVITY)?;
    if let Some(a) = activity.first() {
        let why = format!(
            "not resumed: the session went on without hookwatch ({} at {}): a person took over",
            a.event,
            crate::timefmt::rfc3339(a.time_us)
        );
        store.finish_job(id, &["scheduled"], "skipped", None, &why, now)?;
        log(why);
        return Ok(());
    }
    let dir = paths.data_dir.join("recover");
    std::fs::create_dir_all(&dir)?;
    let log_path = dir.join(format!("job-{id}.log"));
    if !store.start_job(
        id,
        now,
        std::process::id() as i64,
        &log_path.display().to_string(),
    )? {
        return Ok(());
    }
    // From here the job is running: whatever goes wrong must end it, or it
    // would hold the session's one active slot forever.
    let (state, code, outcome) = resume(&cfg, &job, &log_path, &log)
        .unwrap_or_else(|e| ("failed", None, format!("could not run the resume: {e:#}")));
    // The scheduler may have closed it already (the run failed again and a
    // new job took over): then only the exit code is news.
    let mut store = crate::cmd::ingest::open_store(&paths)?;
    store.finish_job(
        id,
        &["running"],
        state,
        code,
        &outcome,
        crate::worker::now_us(),
    )?;
    log(outcome);
    Ok(())
}

/// Run the resume and wait for it: (state, exit code, outcome).
fn resume(
    cfg: &crate::config::RecoverConfig,
    job: &hookwatch_store::recover::JobRow,
    log_path: &std::path::Path,
    log: &dyn Fn(String),
) -> anyhow::Result<(&'static str, Option<i64>, String)> {
    let prompt = super::continue_prompt(cfg, &job.error_type);
    let cwd = job
        .cwd
        .clone()
        .filter(|c| std::path::Path::new(c).is_dir())
        .or(job
            .project
            .clone()
            .filter(|p| std::path::Path::new(p).is_dir()));
    let out = std::fs::File::create(log_path)?;
    let mut cmd = std::process::Command::new(&cfg.claude);
    cmd.args(["--resume", &job.session, "-p", &prompt])
        .args(&cfg.args)
        .env("HOOKWATCH_RESUME_JOB", job.id.to_string())
        .env_remove("HOOKWATCH_RUN")
        // Inherited from the hook's Claude Code: the CLI refuses to start
        // "inside another session" while it is set.
        .env_remove("CLAUDECODE")
        .stdin(std::process::Stdio::null())
        .stdout(out.try_clone()?)
        .stderr(out);
    if let Some(c) = &cwd {
        cmd.current_dir(c);
    }
    log(format!(
        "resuming session {} (attempt {}), output in {}",
        job.session,
        job.attempt,
        log_path.display()
    ));
    let timeout = hookwatch_alert::duration::parse(&cfg.timeout).unwrap_or(3_600_000_000);
    let (state, code, outcome) = match cmd.spawn() {
        Err(e) => (
            "failed",
            None,
            format!(
                "cannot start {:?}: {e} (set recover.claude to the Claude Code program)",
                cfg.claude
            ),
        ),
        Ok(mut child) => {
            let start = std::time::Instant::now();
            loop {
                match child.try_wait() {
                    Ok(Some(status)) => {
                        let code = status.code().map(i64::from);
                        break if status.success() {
                            (
                                "succeeded",
                                code,
                                "the resumed run finished its turn (exit 0)".to_string(),
                            )
                        } else {
                            (
                                "failed",
                                code,
                                format!(
                                    "the resumed run exited with {status}; see {}",
                                    log_path.display()
                                ),
                            )
                        };
                    }
                    Ok(None) if start.elapsed().as_micros() as i64 > timeout => {
                        let _ = child.kill();
                        let _ = child.wait();
                        break (
                            "failed",
                            None,
                            format!("stopped after recover.timeout ({})", cfg.timeout),
                        );
                    }
                    Ok(None) => std::thread::sleep(Duration::from_millis(100)),
                    Err(e) => break ("failed", None, format!("lost the resumed run: {e}")),
                }
            }
        }
    };
    Ok((state, code, outcome))
}
