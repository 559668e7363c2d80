//! `hookwatch recover list|cancel|run-now` and `hookwatch run`.

use crate::cmd::ingest::open_fresh;
use crate::cmd::query::one_line;
use crate::paths::Paths;
use crate::timefmt::{now_us, rfc3339};
use anyhow::{bail, Result};
use serde_json::json;

pub fn list(state: Option<&str>, limit: usize, json_out: bool) -> Result<()> {
    let paths = Paths::resolve();
    let store = open_fresh(&paths)?;
    let jobs = store.jobs(state, limit)?;
    if jobs.is_empty() && !json_out {
        let cfg = crate::cmd::load_config(&paths)?.recover;
        if cfg.active() {
            println!("no recovery jobs yet");
        } else {
            println!("no recovery jobs; recovery is off (set [recover] enabled = true, or `hookwatch install --recover`)");
        }
    }
    for j in jobs {
        if json_out {
            println!(
                "{}",
                json!({
                    "id": j.id, "session": j.session, "state": j.state, "attempt": j.attempt,
                    "error": j.error_type, "kind": j.kind, "stop_failure_event_id": j.event_id,
                    "failure": rfc3339(j.failure_us), "created": rfc3339(j.created_us),
                    "due": j.due_us.map(rfc3339), "wait": j.wait,
                    "started": j.started_us.map(rfc3339), "finished": j.finished_us.map(rfc3339),
                    "exit_code": j.exit_code, "outcome": j.outcome, "log": j.log_path,
                    "project": j.project, "cwd": j.cwd,
                })
            );
            continue;
        }
        let when = match j.state.as_str() {
            "scheduled" => format!("due {}", j.due_us.map(rfc3339).unwrap_or_default()),
            "running" => format!("since {}", j.started_us.map(rfc3339).unwrap_or_default()),
            _ => rfc3339(j.finished_us.unwrap_or(j.created_us)),
        };
        println!(
            "{:>4}  {:<11} session {}  {:<14} attempt {}  {when}",
            j.id,
            j.state,
            j.session.chars().take(8).collect::<String>(),
            j.error_type,
            j.attempt
        );
        if let Some(w) = j.wait.as_deref().filter(|_| j.state == "scheduled") {
            println!("      waiting {}", one_line(w, 140));
        }
        if let Some(o) = &j.outcome {
            println!("      {}", one_line(o, 160));
        }
    }
    Ok(())
}

pub fn cancel(id: i64) -> Result<()> {
    cancel_job(id)?;
    println!("job {id} cancelled");
    Ok(())
}

/// Cancel a scheduled resume (the CLI's and the dashboard's).
pub fn cancel_job(id: i64) -> Result<()> {
    let paths = Paths::resolve();
    let mut store = open_fresh(&paths)?;
    let who = std::env::var("USER").unwrap_or_else(|_| "a person".into());
    if !store.finish_job(
        id,
        &["scheduled"],
        "cancelled",
        None,
        &format!("cancelled by {who}"),
        now_us(),
    )? {
        bail!("job {id} is not waiting (only scheduled jobs can be cancelled; `hookwatch recover list`)");
    }
    Ok(())
}

pub fn run_now(id: i64) -> Result<()> {
    let paths = Paths::resolve();
    let mut store = open_fresh(&paths)?;
    let Some(job) = store.job(id)? else {
        bail!("no job {id} (`hookwatch recover list`)");
    };
    if !store.job_due_now(id, now_us(), "run now by hand")? {
        bail!("job {id} is {}, not scheduled", job.state);
    }
    let alive = job
        .runner_pid
        .is_some_and(|pid| unsafe { libc::kill(pid as i32, 0) } == 0);
    if !alive {
        if let Some(pid) = crate::recover::runner::spawn(id) {
            store.set_runner(id, pid as i64)?;
        }
    }
    println!(
        "job {id} runs now (its output goes to {})",
        paths
            .data_dir
            .join("recover")
            .join(format!("job-{id}.log"))
            .display()
    );
    Ok(())
}
