//! Hook health from what Claude Code itself records: every hook of every
//! kind (not only hookwatch's), read from the session transcripts
//! (`~/.claude/projects/*/*.jsonl`). Claude Code 2.1.330 writes an
//! attachment when a hook fails (`hook_non_blocking_error`: exit code,
//! stderr, duration), blocks (`hook_blocking_error`), is cancelled or times
//! out (`hook_cancelled`: duration, `timedOut`), or succeeds with output
//! (`hook_success`), and one `stop_hook_summary` per Stop with every Stop
//! hook's duration. A silent successful hook of another event leaves no
//! trace: run counts are a lower bound, and the report says so.

use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, Serialize)]
pub struct HookHealth {
    pub event: String,
    pub command: String,
    /// Runs Claude Code recorded (see the module note: a lower bound).
    pub runs: u64,
    pub ok_with_output: u64,
    pub errors: u64,
    pub blocks: u64,
    pub cancelled: u64,
    pub timeouts: u64,
    pub exit_codes: BTreeMap<i32, u64>,
    #[serde(skip)]
    durations: Vec<u64>,
    pub p50_ms: Option<u64>,
    pub p95_ms: Option<u64>,
    pub max_ms: Option<u64>,
    /// The newest stderr of a failure (the caller scrubs it).
    pub last_stderr: Option<String>,
    pub last_seen: Option<String>,
    pub sessions: u64,
    /// Every run is counted (the hook runs through `hookwatch wrap`).
    pub complete: bool,
    /// Drift: is this command registered in the settings today? (None:
    /// not checked.) Sessions that ran a command the files no longer have
    /// ran an older configuration.
    pub registered: Option<bool>,
    #[serde(skip)]
    session_ids: std::collections::BTreeSet<String>,
}

/// A run `hookwatch wrap` recorded.
pub struct WrappedRun<'a> {
    pub event: &'a str,
    pub command: &'a str,
    pub exit: i32,
    pub ms: u64,
    pub stderr: &'a str,
    pub session: &'a str,
    pub ts: Option<String>,
    /// Claude Code cancelled it (the signal the wrapper got): counted as a
    /// timeout, which is what cancels a hook unless the person aborts.
    pub cancelled: bool,
}

/// Per (event, command).
#[derive(Debug, Default)]
pub struct Health {
    pub hooks: BTreeMap<(String, String), HookHealth>,
    pub lines: u64,
}

impl Health {
    /// One transcript line.
    pub fn add_line(&mut self, line: &str) {
        self.lines += 1;
        // Cheap filter: most lines are messages.
        if !line.contains("hook") {
            return;
        }
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            return;
        };
        let ts = v
            .get("timestamp")
            .and_then(Value::as_str)
            .map(str::to_string);
        let session = v
            .get("sessionId")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if v.get("type").and_then(Value::as_str) == Some("system")
            && v.get("subtype").and_then(Value::as_str) == Some("stop_hook_summary")
        {
            for info in v
                .get("hookInfos")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let Some(cmd) = info.get("command").and_then(Value::as_str) else {
                    continue;
                };
                let h = self.entry("Stop", cmd);
                h.runs += 1;
                if let Some(d) = info.get("durationMs").and_then(Value::as_u64) {
                    h.durations.push(d);
                }
                h.seen(ts.clone(), &session);
            }
            return;
        }
        let Some(a) = v.get("attachment") else { return };
        let kind = a.get("type").and_then(Value::as_str).unwrap_or("");
        if !kind.starts_with("hook_") {
            return;
        }
        let event = a
            .get("hookEvent")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let cmd = a
            .get("command")
            .or_else(|| a.pointer("/blockingError/command"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        // A hook run through `hookwatch wrap` is counted from the
        // wrapper's own records (every run), not from these.
        if cmd.is_empty() || event.is_empty() || crate::command::unwrapped(&cmd).is_some() {
            return;
        }
        // Stop hooks' runs come from the summary; their attachments say
        // only how each ended.
        let counted_by_summary = event == "Stop";
        let h = self.entry(&event, &cmd);
        match kind {
            "hook_success" => h.ok_with_output += 1,
            "hook_non_blocking_error" => {
                h.errors += 1;
                if let Some(s) = a.get("stderr").and_then(Value::as_str) {
                    let s = s
                        .strip_prefix("Failed with non-blocking status code: ")
                        .unwrap_or(s);
                    h.last_stderr = Some(bounded(s));
                }
            }
            "hook_blocking_error" => {
                h.blocks += 1;
                if let Some(s) = a
                    .pointer("/blockingError/blockingError")
                    .and_then(Value::as_str)
                {
                    h.last_stderr = Some(s.trim().chars().take(300).collect());
                }
            }
            "hook_cancelled" => {
                h.cancelled += 1;
                if a.get("timedOut").and_then(Value::as_bool) == Some(true) {
                    h.timeouts += 1;
                }
            }
            _ => return,
        }
        if !counted_by_summary {
            h.runs += 1;
            if let Some(d) = a.get("durationMs").and_then(Value::as_u64) {
                h.durations.push(d);
            }
        }
        if let Some(c) = a.get("exitCode").and_then(Value::as_i64) {
            *h.exit_codes.entry(c as i32).or_default() += 1;
        }
        h.seen(ts, &session);
    }

    /// One run recorded by `hookwatch wrap` (complete: every run is).
    pub fn add_run(&mut self, r: &WrappedRun<'_>) {
        let h = self.entry(r.event, r.command);
        h.complete = true;
        h.runs += 1;
        h.durations.push(r.ms);
        *h.exit_codes.entry(r.exit).or_default() += 1;
        match (r.cancelled, r.exit) {
            (true, _) => {
                h.cancelled += 1;
                h.timeouts += 1;
            }
            (false, 0) => {}
            (false, 2) => h.blocks += 1,
            (false, _) => h.errors += 1,
        }
        if r.exit != 0 && !r.stderr.trim().is_empty() {
            h.last_stderr = Some(bounded(r.stderr));
        }
        h.seen(r.ts.clone(), r.session);
    }

    fn entry(&mut self, event: &str, cmd: &str) -> &mut HookHealth {
        self.hooks
            .entry((event.to_string(), cmd.to_string()))
            .or_insert_with(|| HookHealth {
                event: event.to_string(),
                command: cmd.to_string(),
                ..Default::default()
            })
    }

    /// Percentiles filled in; hooks with the most trouble first.
    pub fn finish(self) -> Vec<HookHealth> {
        let mut out: Vec<HookHealth> = self
            .hooks
            .into_values()
            .map(|mut h| {
                h.durations.sort_unstable();
                let pct = |p: f64| {
                    (!h.durations.is_empty())
                        .then(|| h.durations[((h.durations.len() - 1) as f64 * p).round() as usize])
                };
                h.p50_ms = pct(0.5);
                h.p95_ms = pct(0.95);
                h.max_ms = h.durations.last().copied();
                h.sessions = h.session_ids.len() as u64;
                h
            })
            .collect();
        out.sort_by(|a, b| {
            (b.errors + b.timeouts + b.blocks)
                .cmp(&(a.errors + a.timeouts + a.blocks))
                .then(b.p95_ms.cmp(&a.p95_ms))
        });
        out
    }
}

/// The stderr kept: whole up to 4 KB, so the caller can scrub it before it
/// cuts it for display (a cut token no longer looks like one).
fn bounded(s: &str) -> String {
    s.trim().chars().take(4096).collect()
}

impl HookHealth {
    fn seen(&mut self, ts: Option<String>, session: &str) {
        if ts > self.last_seen {
            self.last_seen = ts;
        }
        if !session.is_empty() {
            self.session_ids.insert(session.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines as Claude Code 2.1.330 wrote them (a real `claude -p` run,
    /// trimmed to the fields read here).
    const LINES: &[&str] = &[
        r#"{"attachment": {"type": "hook_cancelled", "hookName": "UserPromptSubmit", "hookEvent": "UserPromptSubmit", "command": "sleep 3", "durationMs": 1038, "timedOut": true, "timeoutMs": 1000}, "type": "attachment", "timestamp": "2026-12-04T13:40:20.757Z", "sessionId": "s1"}"#,
        r#"{"attachment": {"type": "hook_non_blocking_error", "hookName": "PreToolUse:Bash", "hookEvent": "PreToolUse", "stderr": "Failed with non-blocking status code: failing hook says no", "stdout": "", "exitCode": 1, "command": "echo 'failing hook says no' >&2; exit 1", "durationMs": 28}, "type": "attachment", "timestamp": "2026-12-04T13:40:20.981Z", "sessionId": "s1"}"#,
        r#"{"attachment": {"type": "hook_blocking_error", "hookName": "PostToolUse:Bash", "hookEvent": "PostToolUse", "blockingError": {"blockingError": "[echo 'post blocks' >&2; exit 2]: post blocks\n", "command": "echo 'post blocks' >&2; exit 2"}}, "type": "attachment", "timestamp": "2026-12-04T13:40:22.279Z", "sessionId": "s1"}"#,
        r#"{"attachment": {"type": "hook_success", "hookName": "Stop", "hookEvent": "Stop", "content": "", "stdout": "{\"systemMessage\": \"stop ran\"}\n", "stderr": "", "exitCode": 0, "command": "echo '{\"systemMessage\": \"stop ran\"}'", "durationMs": 4}, "type": "attachment", "timestamp": "2026-12-04T13:40:22.352Z", "sessionId": "s1"}"#,
        r#"{"type": "system", "subtype": "stop_hook_summary", "hookCount": 1, "hookInfos": [{"command": "echo '{\"systemMessage\": \"stop ran\"}'", "durationMs": 4}], "hookErrors": [], "preventedContinuation": false, "timestamp": "2026-12-04T13:40:22.354Z", "sessionId": "s1"}"#,
        r#"{"type": "user", "message": {"role": "user", "content": "no hooks here"}}"#,
        "not json at all: hook",
    ];

    #[test]
    fn reads_claude_codes_own_records() {
        let mut h = Health::default();
        for l in LINES {
            h.add_line(l);
        }
        let out = h.finish();
        let by = |e: &str| out.iter().find(|x| x.event == e).unwrap();
        let t = by("UserPromptSubmit");
        assert_eq!(
            (t.runs, t.cancelled, t.timeouts, t.p50_ms),
            (1, 1, 1, Some(1038))
        );
        let e = by("PreToolUse");
        assert_eq!((e.runs, e.errors, e.exit_codes.get(&1)), (1, 1, Some(&1)));
        assert_eq!(e.last_stderr.as_deref(), Some("failing hook says no"));
        let b = by("PostToolUse");
        assert_eq!((b.runs, b.blocks), (1, 1));
        let s = by("Stop");
        assert_eq!(
            (s.runs, s.ok_with_output, s.p50_ms),
            (1, 1, Some(4)),
            "counted once"
        );
        assert_eq!(s.sessions, 1);
    }
}
