//! `hookwatch hook`: what Claude Code runs for every hook event.
//!
//! The contract (rule 1 of the project): the hook never hurts the agent.
//! Whatever goes wrong inside, it prints at most one line on stderr, keeps
//! what it can (scrubbed), and exits 0. It answers two events: PreToolUse
//! (a guard policy may deny, ask or allow; exit 2 only for such a block)
//! and PostToolUseFailure (advice, capped). For every other event stdout
//! stays empty: no decision. No SQLite, no network, no locks waited on:
//! one spool file per event, see `hookwatch_store::spool`.
//!
//! `main` routes here before clap or anything else is built.

use crate::config::{self, Config};
use crate::guard::Answer;
use crate::paths::Paths;
use crate::payload;
use hookwatch_event::Event;
use hookwatch_store::spool::{self, Header, Outcome};
use serde_json::Value;
use std::io::Read;
use std::time::{SystemTime, UNIX_EPOCH};

/// More than this is counted but not kept in memory: a runaway tool output
/// must not make the hook slow or exhaust memory.
const MAX_READ: usize = 64 << 20;

/// Events after which the spool is worth ingesting in the background: the
/// end of a turn or session, when the user may look at what happened.
/// StopFailure wakes the worker only when something must act on it soon
/// (recovery on, or an alert route for it): starting a process is ~0.2 ms,
/// a third of the hook, and otherwise the Stop or SessionEnd that follows,
/// or the next query, ingests it as well.
const WAKE_WORKER_ON: &[&str] = &["Stop", "SessionEnd"];

pub fn run() -> i32 {
    defer_termination_signals();
    record_on_panic();
    // Everything worth saying goes into one line at the end: Claude Code
    // shows hook stderr to the user, and several lines would be noise.
    let mut notes: Vec<String> = Vec::new();
    let paths = Paths::resolve();
    let (config, config_notes) = config::load_lenient(&paths.config_file);
    notes.extend(config_notes);
    let input = read_stdin();
    let mut answer = Answer::default();
    match record(&paths, &config, input, &mut answer, &mut notes) {
        Ok(Recorded {
            event,
            rescued,
            expected,
        }) => {
            notes.extend(rescued);
            let name = event.as_ref().map_or("", |e| e.name.as_str());
            if let (Some(end), "SessionEnd") = (&event, name) {
                rebuild_lost_stop_failures(&paths, &config, end, &mut notes);
            }
            // Alerts are never sent from here: the worker routes, groups and
            // delivers them. Start it when this event may alert, or when
            // work a previous worker left for later has come due (a stat).
            // Attention notifications ([notify]) are decided by the worker
            // too: a question or a permission prompt should reach the
            // person within seconds, not at the next Stop.
            let tool = event.as_ref().and_then(|e| e.tool_name());
            if WAKE_WORKER_ON.contains(&name)
                || (name == "StopFailure" && config.recover.active())
                || (config.notify.active()
                    && hookwatch_attention::kind::may_need_worker(name, tool))
                || config.alerts.candidate(name, expected)
                || ((config.alerts.active() || config.otel.active())
                    && crate::worker::marker_due(&paths))
            {
                crate::cmd::ingest::spawn_background_worker(&paths);
            }
        }
        Err(e) => notes.push(e),
    }
    respond(answer, &notes)
}

/// What the hook tells Claude Code: JSON on stdout (advice, a guard
/// decision), or exit 2 with the reason on stderr when a policy blocks that
/// way. Everything else exits 0 with stdout empty.
fn respond(answer: Answer, notes: &[String]) -> i32 {
    use std::io::Write;
    if let Some(reason) = answer.block_stderr {
        // stderr is the reason Claude reads; notes would garble it, and it
        // stays one line even when it quotes a multi-line command.
        let reason = reason.split_whitespace().collect::<Vec<_>>().join(" ");
        let _ = writeln!(std::io::stderr().lock(), "{reason}");
        return 2;
    }
    if let Some(v) = answer.stdout {
        let _ = writeln!(std::io::stdout().lock(), "{v}");
    }
    if !notes.is_empty() {
        warn(&notes.join("; "));
    }
    0
}

/// StopFailure fires just before a `-p` run exits and its hook can be killed
/// before it starts (see `hookwatch_event::transcript`). SessionEnd is
/// awaited, so rebuild every API error of the transcript's tail as a
/// StopFailure; at ingestion a rebuilt event yields to the real one.
fn rebuild_lost_stop_failures(
    paths: &Paths,
    config: &Config,
    end: &Event,
    notes: &mut Vec<String>,
) {
    let Some(path) = end
        .common
        .transcript_path
        .as_deref()
        .filter(|p| !p.is_empty())
    else {
        return;
    };
    for err in hookwatch_event::transcript::api_errors(std::path::Path::new(path), 256 * 1024) {
        if err.session_id.is_some() && err.session_id != end.common.session_id {
            continue;
        }
        // The transcript uuid becomes part of a file name and a column: take
        // it only in its documented shape, else a hash of it.
        let uuid = if err.uuid.len() == 36
            && err.uuid.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
        {
            err.uuid.clone()
        } else {
            blake3::hash(err.uuid.as_bytes()).to_hex()[..32].to_string()
        };
        let text = err.text.map(|t| t.chars().take(4096).collect::<String>());
        let payload = serde_json::json!({
            "session_id": end.common.session_id,
            "transcript_path": path,
            "cwd": end.common.cwd,
            "hook_event_name": "StopFailure",
            "error": err.error,
            "last_assistant_message": text,
            "_hookwatch": {"rebuilt_from": "transcript", "transcript_uuid": uuid},
        })
        .to_string();
        let payload = hookwatch_scrub::scrub(payload.as_bytes());
        // Deterministic id (the same entry rebuilt at two SessionEnds of a
        // resumed session is stored once) that still sorts by time.
        let header = Header {
            v: spool::FORMAT_VERSION,
            id: format!("{:016x}-r-{uuid}", err.time_us),
            time_us: err.time_us,
            len: payload.len() as u64,
            original_size: payload.len() as u64,
            recovered: Some(uuid),
            project_dir: project_dir(),
            outcome: Some(env_marks())
                .filter(|m| !m.is_empty())
                .map(|extra| Outcome {
                    extra,
                    ..Outcome::default()
                }),
            ..Header::default()
        };
        match write_spool(paths, &header, &payload, config.store.fsync) {
            Ok(rescued) => notes.extend(rescued),
            Err(e) => notes.push(format!("a StopFailure found in the transcript: {e}")),
        }
    }
}

struct Input {
    bytes: Vec<u8>,
    /// Bytes on stdin, including any beyond MAX_READ.
    size: u64,
}

fn read_stdin() -> Input {
    let mut bytes = Vec::with_capacity(16 * 1024);
    let mut stdin = std::io::stdin().lock();
    let _ = (&mut stdin).take(MAX_READ as u64).read_to_end(&mut bytes);
    let mut size = bytes.len() as u64;
    if bytes.len() == MAX_READ {
        size += drain(&mut stdin);
    }
    Input { bytes, size }
}

/// Read the rest of an oversized input so the writer is not left blocked on
/// a full pipe. Its own function with a heap buffer: a 64 KB array in
/// `run`'s frame made every hook probe (and page-fault) 16 stack pages, even
/// though almost none ever gets here (BENCHMARKS.md, "Code layout").
#[inline(never)]
#[cold]
fn drain(stdin: &mut impl Read) -> u64 {
    let mut sink = vec![0u8; 64 * 1024];
    let mut size = 0;
    while let Ok(n @ 1..) = stdin.read(&mut sink) {
        size += n as u64;
    }
    size
}

struct Recorded {
    /// The parsed event, if stdin was a JSON object.
    event: Option<Event>,
    /// Set when the data dir failed and the rescue spool was used.
    rescued: Option<String>,
    /// A PostToolUseFailure the analysis found expected (never alerted).
    expected: Option<bool>,
}

fn record(
    paths: &Paths,
    config: &Config,
    input: Input,
    answer: &mut Answer,
    notes: &mut Vec<String>,
) -> Result<Recorded, String> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let cap = config.store.max_payload_bytes as usize;

    // 1. Scrub first: everything after this point sees only scrubbed bytes.
    //    Owned from here on (the input's own buffer when nothing was found),
    //    so the record can move through the steps below without a copy: a
    //    fresh process pays a page fault for every 4 KB it touches.
    let (size, was_empty) = (input.size, input.bytes.is_empty());
    let read = input.bytes.len() as u64;
    let changed = match hookwatch_scrub::scrub(&input.bytes) {
        std::borrow::Cow::Owned(v) => Some(v),
        std::borrow::Cow::Borrowed(_) => None,
    };
    let mut scrubbed = changed.unwrap_or(input.bytes);

    // 2. Parse into the typed model; unparseable input is kept raw.
    let mut header = Header {
        v: spool::FORMAT_VERSION,
        id: spool::new_id(now.as_micros() as i64, now.subsec_nanos()),
        time_us: now.as_micros() as i64,
        original_size: size,
        truncated: size > read,
        project_dir: project_dir(),
        ..Header::default()
    };
    // `None`: the payload is `scrubbed` itself.
    let (shrunk, event): (Option<Vec<u8>>, Option<Event>) =
        match serde_json::from_slice::<Value>(&scrubbed) {
            Ok(Value::Object(map)) => {
                // 3. Over the cap: same shape, longest strings cut. An event
                //    hookwatch answers keeps its whole model: a guard must
                //    see all of a long command, not a cut one.
                if scrubbed.len() > cap {
                    let full = ANSWERED
                        .contains(
                            &map.get("hook_event_name")
                                .and_then(Value::as_str)
                                .unwrap_or(""),
                        )
                        .then(|| Event::from_map(map.clone()));
                    let (bytes, cut) = payload::shrink(Value::Object(map), scrubbed.len(), cap);
                    // Re-serialising decodes escapes (`\/`, `\uXXXX`) the byte
                    // scan could not see through: scrub again (cheap: ≤ cap).
                    let bytes = hookwatch_scrub::scrub(&bytes).into_owned();
                    header.truncated |= cut;
                    let event = full.or_else(|| Event::parse(&bytes).ok());
                    (Some(bytes), event)
                } else {
                    (None, Some(Event::from_map(map)))
                }
            }
            Ok(_) => {
                header.parse_error = Some("stdin is JSON but not an object".into());
                (None, None)
            }
            Err(e) => {
                header.parse_error = Some(if was_empty {
                    "stdin was empty".into()
                } else {
                    format!("stdin is not JSON ({e})")
                });
                (None, None)
            }
        };
    if header.parse_error.is_some() {
        // Kept raw, cut to the cap.
        let (kept, cut) = payload::shrink_raw(&scrubbed, cap);
        let kept = kept.len();
        header.truncated |= cut;
        if header.truncated {
            header.hash = Some(blake3::hash(&scrubbed).to_hex().to_string());
        }
        scrubbed.truncate(kept);
    } else if header.truncated {
        header.hash = Some(blake3::hash(&scrubbed).to_hex().to_string());
    }
    let mut payload = shrunk.unwrap_or(scrubbed);
    header.len = payload.len() as u64;

    // 4. Answer the events hookwatch answers. The record is complete before
    //    this step, so a panic in the analysers still stores it (see
    //    `record_on_panic`).
    if let Some(ev) = event
        .as_ref()
        .filter(|e| ANSWERED.contains(&e.name.as_str()))
    {
        {
            let mut pending = PENDING.lock().unwrap_or_else(|e| e.into_inner());
            *pending = Some(Pending {
                paths: paths.clone(),
                header: header.clone(),
                // Moved in and back out: the panic hook needs the record,
                // and a copy would cost pages.
                payload: std::mem::take(&mut payload),
                fsync: config.store.fsync,
                deny_on_panic: (ev.name == "PreToolUse" && fails_closed_on_internal_error(config))
                    .then_some(config.guard.deny_with),
            });
        }
        let project = header.project_dir.clone();
        header.outcome = answer_event(paths, config, ev, project.as_deref(), answer, notes);
        if let Some(p) = PENDING.lock().unwrap_or_else(|e| e.into_inner()).take() {
            payload = p.payload;
        }
    }

    // Events of a run hookwatch started itself (`hookwatch run`, a resume)
    // carry its mark, for recovery to tell them apart (`env_marks`).
    let marks = env_marks();
    if !marks.is_empty() {
        header
            .outcome
            .get_or_insert_with(Outcome::default)
            .extra
            .extend(marks);
    }

    // 5. One spool file; the rescue dir if the data dir cannot be written.
    let rescued = write_spool(paths, &header, &payload, config.store.fsync)?;

    // 6. Input hookwatch cannot read means a broken caller or a changed
    //    wire format: silence would hide it until someone looks at the
    //    store. Say what was kept and where, never the bytes themselves
    //    (they may be anything; the parse error only has positions).
    if let Some(why) = &header.parse_error {
        notes.push(format!(
            "{why}: kept raw as event {}; see `hookwatch events --event ''`",
            header.id
        ));
    }
    let expected = header
        .outcome
        .as_ref()
        .and_then(|o| o.failure.as_ref())
        .map(|f| f.expected);
    Ok(Recorded {
        event,
        rescued,
        expected,
    })
}

/// The events hookwatch answers; every other event is only recorded.
const ANSWERED: &[&str] = &["PreToolUse", "PostToolUseFailure"];

/// Guard a PreToolUse, analyse a PostToolUseFailure. Returns what goes into
/// the record's header (None when there is nothing to say).
fn answer_event(
    paths: &Paths,
    config: &Config,
    ev: &Event,
    project: Option<&str>,
    answer: &mut Answer,
    notes: &mut Vec<String>,
) -> Option<Outcome> {
    #[cfg(debug_assertions)]
    if std::env::var_os("HOOKWATCH_DEBUG_PANIC").is_some() {
        panic!("forced by HOOKWATCH_DEBUG_PANIC");
    }
    let mut outcome = Outcome::default();
    if ev.name == "PreToolUse" {
        let c = crate::guard::check(paths, &config.guard, ev, project);
        *answer = c.answer;
        outcome.guard = c.outcome;
        outcome.errors = c.errors;
    } else {
        let a = crate::advice::analyse(paths, &config.failure, ev, project);
        answer.stdout = a.answer;
        outcome.failure = Some(a.outcome);
        outcome.errors = a.errors;
    }
    // Internal errors are fail-open by design; the user hears of them once
    // per event, and the audit keeps them.
    if let Some(e) = outcome.errors.first() {
        notes.push(e.clone());
    }
    (outcome != Outcome::default()).then_some(outcome)
}

/// The record of the event being answered, for the panic hook.
struct Pending {
    paths: Paths,
    header: Header,
    payload: Vec<u8>,
    fsync: bool,
    /// Set for a PreToolUse when the user asked the guard to fail closed on
    /// internal errors: the panic hook then denies the call in this form.
    deny_on_panic: Option<config::DenyWith>,
}

/// The same rule as a guard config that cannot be used (`guard::build`):
/// only "*" covers hookwatch's own failures. A policy id in `fail_closed`
/// names a policy that could not decide, and a panic belongs to no policy.
fn fails_closed_on_internal_error(config: &Config) -> bool {
    config.guard.fail_closed.iter().any(|f| f == "*")
}

static PENDING: std::sync::Mutex<Option<Pending>> = std::sync::Mutex::new(None);

/// The analysers parse agent-controlled text; a bug there must not lose the
/// event or hurt the agent. With `panic = "abort"` a panic hook is the last
/// code that runs: it stores the pending record with the panic as an
/// internal error, prints one line, and exits 0 with no answer (fail open),
/// unless the event is a PreToolUse and `guard.fail_closed` has "*": then
/// the call is denied as the guard denies (`deny_with`), because a user who
/// asked to fail closed must not get an open guard from a bug either.
fn record_on_panic() {
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".into());
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let msg = format!("internal error{at}: {}", what.replace('\n', " "));
        let mut answer = Answer::default();
        let mut kept = "";
        if let Ok(mut pending) = PENDING.try_lock() {
            if let Some(mut p) = pending.take() {
                let mut outcome = Outcome {
                    errors: vec![msg.clone()],
                    ..Outcome::default()
                };
                if let Some(deny_with) = p.deny_on_panic {
                    // Never the panic message: it may quote the input.
                    let (policy, reason) = (
                        "internal-error",
                        "hookwatch hit an internal error while checking this call and the \
                         user's config fails closed (guard.fail_closed = [\"*\"]); ask the user \
                         to look at `hookwatch guard log`",
                    );
                    answer = crate::guard::answer_for(
                        hookwatch_guard::Decision::Deny,
                        deny_with,
                        policy,
                        reason,
                    );
                    outcome.guard = Some(spool::GuardOutcome {
                        decision: "deny".into(),
                        policy: policy.into(),
                        reason: reason.into(),
                        ..spool::GuardOutcome::default()
                    });
                }
                let denied = outcome.guard.is_some();
                p.header.outcome = Some(outcome);
                let recorded = write_spool(&p.paths, &p.header, &p.payload, p.fsync).is_ok();
                kept = match (recorded, denied) {
                    (true, false) => " (event recorded, no answer given)",
                    (true, true) => " (event recorded, call denied: guard.fail_closed has \"*\")",
                    (false, true) => " (call denied: guard.fail_closed has \"*\")",
                    (false, false) => "",
                };
            }
        }
        // The same output as a normal run: the deny on stdout with this one
        // line on stderr, or in exit2 mode the reason alone with exit 2.
        std::process::exit(respond(answer, &[format!("{msg}{kept}")]));
    }));
}

/// What hookwatch's own processes tell the hooks of the Claude Code they
/// start: `run` (HOOKWATCH_RUN, set by `hookwatch run`: background recovery
/// leaves the run alone) and `resume_job` (HOOKWATCH_RESUME_JOB, set by a
/// resume runner: a StopFailure of that run closes that job). Only in the
/// shapes hookwatch sets them; anything else is ignored.
fn env_marks() -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    if let Some(run) = std::env::var("HOOKWATCH_RUN").ok().filter(|r| {
        (1..=64).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    }) {
        m.insert("run".into(), run.into());
    }
    // Claude Code tells its hooks whether a person attends the session
    // (0 under `claude -p`): [notify] leaves unattended runs alone.
    if let Ok(a) = std::env::var("CLAUDE_CODE_SESSION_ATTENDED") {
        if a == "0" || a == "1" {
            m.insert("attended".into(), (a == "1").into());
        }
    }
    if let Some(job) = std::env::var("HOOKWATCH_RESUME_JOB")
        .ok()
        .and_then(|j| j.parse::<i64>().ok())
    {
        m.insert("resume_job".into(), job.into());
    }
    m
}

fn project_dir() -> Option<String> {
    std::env::var("CLAUDE_PROJECT_DIR")
        .ok()
        .filter(|s| !s.is_empty())
        .map(|s| hookwatch_scrub::scrub_str(&s).into_owned())
}

/// Write to the spool, or to the rescue spool when the data dir cannot be
/// written. Ok(Some(note)) when the rescue was used.
fn write_spool(
    paths: &Paths,
    header: &Header,
    payload: &[u8],
    fsync: bool,
) -> Result<Option<String>, String> {
    let Err(first) = spool::write(&paths.spool(), header, payload, fsync) else {
        return Ok(None);
    };
    let rescue = paths.rescue_spool();
    let first = format!("cannot record to {}: {first}", paths.spool().display());
    prepare_rescue_dir(&rescue)
        .and_then(|_| spool::write(&rescue, header, payload, fsync))
        .map(|p| {
            Some(format!(
                "{first}; event kept in {} (fix the data dir, then any hookwatch query ingests it)",
                p.display()
            ))
        })
        .map_err(|second| format!("{first}; rescue spool failed too: {second}; event lost"))
}

/// The rescue dir lives under a shared temp dir: create it private and refuse
/// one that another user created first.
fn prepare_rescue_dir(dir: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt};
    let parent = dir.parent().unwrap_or(dir);
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    let meta = std::fs::symlink_metadata(parent)?;
    if !meta.is_dir() || meta.uid() != unsafe { libc::getuid() } {
        return Err(std::io::Error::other(format!(
            "{} is not a directory owned by you",
            parent.display()
        )));
    }
    Ok(())
}

/// Claude Code sends SIGTERM to hooks still running when a `-p` run exits,
/// right after StopFailure fires (real-claude-code-offline.md). The hook's
/// work is bounded (milliseconds), so finishing it is always right: ignore
/// the signals that would cut it short. SIGXFSZ: a file size limit must turn
/// into a write error we report, not a silent kill.
fn defer_termination_signals() {
    for sig in [
        libc::SIGTERM,
        libc::SIGHUP,
        libc::SIGINT,
        libc::SIGPIPE,
        libc::SIGXFSZ,
    ] {
        unsafe {
            libc::signal(sig, libc::SIG_IGN);
        }
    }
}

/// The one line on stderr. Messages never contain payload text, only paths
/// and OS errors, and pass through the scrubber anyway.
fn warn(msg: &str) {
    use std::io::Write;
    // Not eprintln!: it panics when stderr is gone (the CLI exited), and a
    // panic is an abort, not exit 0.
    let _ = writeln!(
        std::io::stderr().lock(),
        "hookwatch: {}",
        hookwatch_scrub::scrub_str(msg)
    );
}
