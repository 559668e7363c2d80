//! The worker's recovery step: every StopFailure is decided once (a cursor
//! moved in the same transaction as the decisions). Retryable failures of
//! main sessions where recovery is on get a resume job and a detached
//! runner; the rest get a recorded reason; a session past its cap gets one
//! give-up notice.

use super::{texts, RecoverConfig};
use crate::paths::Paths;
use hookwatch_store::recover::NewJob;
use hookwatch_store::Store;

pub fn run(
    store: &mut Store,
    cfg: &RecoverConfig,
    paths: &Paths,
    now_us: i64,
    log: &dyn Fn(String),
) -> Result<usize, String> {
    let e = |e: hookwatch_store::StoreError| e.to_string();
    let max_age_us = hookwatch_alert::duration::parse(&cfg.backoff_cap)
        .unwrap_or(0)
        .max(3_600_000_000);
    let mut scheduled = 0;
    for _ in 0..100 {
        let (from, to, rows) = store.unseen_stop_failures(200).map_err(e)?;
        if from == to {
            break;
        }
        let mut jobs: Vec<NewJob> = Vec::new();
        let mut gave_up = Vec::new();
        for row in &rows {
            let Some(session) = row.session_id.clone() else {
                continue;
            };
            let marks = row
                .outcome
                .as_deref()
                .and_then(|o| serde_json::from_str::<serde_json::Value>(o).ok())
                .unwrap_or_default();
            let supervised = marks.get("run").is_some();
            let resumed_by = marks.get("resume_job").and_then(|j| j.as_i64());
            let project = row.project.clone().or(row.cwd.clone());
            // Recovery turned on (or a worker run) long after the failure:
            // resuming a stale session would surprise more than help.
            let too_old = now_us - row.time_us > max_age_us;
            if supervised || too_old || !cfg.enabled_for(project.as_deref()) {
                continue;
            }
            let error_type = row.error.clone().unwrap_or_else(|| "unknown".into());
            let t = texts(row);
            let refs: Vec<&str> = t.iter().map(String::as_str).collect();
            let kind = hookwatch_recover::classify_text(&error_type, &refs);
            let mut job = NewJob {
                session: session.clone(),
                event_id: row.id,
                failure_us: row.time_us,
                project: project.clone(),
                cwd: row.cwd.clone(),
                error_type: error_type.clone(),
                kind: kind.as_str().into(),
                state: "not_retried".into(),
                ..NewJob::default()
            };
            let refuse = if row.agent_id.is_some() {
                Some("a subagent's failure: the main session decides what to do".to_string())
            } else if t.is_empty() {
                // Claude Code also fires StopFailure for its internal helper
                // queries, with the parent's session and only a bare error
                // type (anthropics/claude-code#91419).
                Some("no message with it: an internal helper query's failure, not the session's (anthropics/claude-code#91419)".to_string())
            } else if !kind.retryable() {
                Some(format!(
                    "{error_type} is {}: resuming would fail the same way; a person must act",
                    kind.as_str().replace('_', " ")
                ))
            } else {
                None
            };
            if let Some(why) = refuse {
                job.outcome = Some(why);
                jobs.push(job);
                continue;
            }
            let active = store.active_job(&session).map_err(e)?;
            let mut supersedes = None;
            match &active {
                // The resumed run itself failed again (its hook carried the
                // job's id): that job is over, the next attempt is decided.
                Some(a) if a.state == "running" && resumed_by == Some(a.id) => {
                    supersedes = Some(a.id);
                }
                // Already waiting to resume (two StopFailures close
                // together), or a resume still running: one at a time.
                Some(_) => continue,
                None => {}
            }
            if jobs
                .iter()
                .any(|j| j.session == session && j.state == "scheduled")
            {
                continue;
            }
            let attempts = store.resume_attempts(&session).map_err(e)?;
            let today = store.resumes_since(now_us - 86_400_000_000).map_err(e)?
                + jobs.iter().filter(|j| j.state == "scheduled").count() as i64;
            let cap = if attempts >= cfg.max_attempts_per_session as i64 {
                Some(format!(
                    "{attempts} resume(s) of this session already (max_attempts_per_session)"
                ))
            } else if today >= cfg.max_per_day as i64 {
                Some(format!(
                    "{today} resume(s) on this machine in the last 24 h (max_per_day)"
                ))
            } else {
                None
            };
            if let Some(why) = cap {
                if let Some(id) = supersedes {
                    store
                        .finish_job(
                            id,
                            &["running"],
                            "failed",
                            None,
                            &format!("the resumed run ended on {error_type} again"),
                            now_us,
                        )
                        .map_err(e)?;
                }
                if !store.has_gave_up(&session).map_err(e)?
                    && !gave_up
                        .iter()
                        .any(|(s, _, _): &(String, _, _)| *s == session)
                {
                    job.state = "gave_up".into();
                    job.outcome = Some(format!("gave up: {why}"));
                    gave_up.push((session.clone(), row.clone(), why));
                    jobs.push(job);
                }
                continue;
            }
            let attempt = attempts + 1;
            let (due_us, wait) = super::due(cfg, &t, attempt as u32, row.time_us, now_us);
            job.state = "scheduled".into();
            job.attempt = attempt;
            job.due_us = Some(due_us);
            job.wait = Some(wait);
            job.supersedes = supersedes;
            jobs.push(job);
        }
        // The give-up notice is spooled before the decision commits: a crash
        // in between repeats the notice (deduplicated by its fingerprint),
        // never loses it.
        for (session, row, why) in &gave_up {
            let payload = serde_json::json!({
                "hook_event_name": "RecoveryGaveUp",
                "session_id": session,
                "cwd": row.cwd,
                "error": row.error,
                "last_assistant_message": super::payload_str(row, "last_assistant_message"),
                "reason": why,
                "stop_failure_event_id": row.id,
            });
            let project = row.project.as_deref().or(row.cwd.as_deref());
            if let Err(err) = super::spool_event(paths, &payload, project) {
                log(format!(
                    "cannot record the give-up notice for session {session}: {err}"
                ));
            }
            log(format!("recovery gave up on session {session}: {why}"));
        }
        let Some(ids) = store
            .commit_recover_pass(from, to, &jobs, now_us)
            .map_err(e)?
        else {
            continue;
        };
        scheduled += ids.len();
        for id in ids {
            if let Some(pid) = super::runner::spawn(id) {
                store.set_runner(id, pid as i64).map_err(e)?;
            }
        }
    }
    let alive = |pid: Option<i64>| pid.is_some_and(|p| unsafe { libc::kill(p as i32, 0) } == 0);
    // Runners that died (a reboot) leave due jobs behind: start them again,
    // at most every 30 s (the due time moves with each restart).
    for job in store.due_jobs(now_us - 30_000_000).map_err(e)? {
        if !alive(job.runner_pid) {
            store
                .job_due_now(job.id, now_us, "its runner had died: started again")
                .map_err(e)?;
            if let Some(pid) = super::runner::spawn(job.id) {
                store.set_runner(job.id, pid as i64).map_err(e)?;
            }
        }
    }
    // A runner that died while its resume ran leaves the job running
    // forever otherwise, holding the session's one active slot.
    for job in store.jobs(Some("running"), 1000).map_err(e)? {
        if !alive(job.runner_pid) {
            store
                .finish_job(
                    job.id,
                    &["running"],
                    "failed",
                    None,
                    "the runner died while the resume ran (reboot, OOM, killed)",
                    now_us,
                )
                .map_err(e)?;
        }
    }
    Ok(scheduled)
}
