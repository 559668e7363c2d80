//! The one list of hook events (Claude Code 2.1.330, canonical order) and
//! hookwatch's decision, per event, about recording it.

/// How `hookwatch install` treats an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstallPolicy {
    /// Register `hookwatch hook`. `may_async`: a pure recording entry may run
    /// with `"async": true` because hookwatch never needs to answer this
    /// event; events where a later feature answers (guard, advice) stay sync.
    Record { may_async: bool },
    /// Never registered by default; the reason is shown by `install --dry-run`
    /// and in docs/events.md.
    Skip,
}

#[derive(Debug, Clone, Copy)]
pub struct EventInfo {
    pub name: &'static str,
    /// What the settings `matcher` is compared with, if the event has one.
    pub matcher: Option<&'static str>,
    pub policy: InstallPolicy,
    /// Why the policy is what it is (user-facing).
    pub why: &'static str,
}

const SYNC: InstallPolicy = InstallPolicy::Record { may_async: false };
const ANY: InstallPolicy = InstallPolicy::Record { may_async: true };

pub const EVENTS: &[EventInfo] = &[
    EventInfo { name: "PreToolUse", matcher: Some("tool name"), policy: SYNC,
        why: "exit 0 with no output is 'no decision'; kept sync because the guard answers here" },
    EventInfo { name: "PostToolUse", matcher: Some("tool name"), policy: ANY,
        why: "observation only; a recorder's silent exit 0 changes nothing" },
    EventInfo { name: "PostToolUseFailure", matcher: Some("tool name"), policy: SYNC,
        why: "the failure record; kept sync because advice is answered here" },
    EventInfo { name: "PostToolBatch", matcher: None, policy: ANY,
        why: "observation only" },
    EventInfo { name: "Notification", matcher: Some("notification_type"), policy: ANY,
        why: "observation only; cannot block" },
    EventInfo { name: "UserPromptSubmit", matcher: None, policy: ANY,
        why: "plain stdout would reach the model; the recorder prints nothing" },
    EventInfo { name: "UserPromptExpansion", matcher: Some("command_name"), policy: ANY,
        why: "plain stdout would reach the model; the recorder prints nothing" },
    EventInfo { name: "SessionStart", matcher: Some("source"), policy: ANY,
        why: "observation only; cannot block" },
    EventInfo { name: "SessionEnd", matcher: Some("reason"), policy: SYNC,
        why: "sync so the record is written inside the 1.5 s SessionEnd budget before the CLI exits" },
    EventInfo { name: "Stop", matcher: None, policy: SYNC,
        why: "async hooks still running when a -p run exits are lost; the recorder is ~1 ms, so sync costs nothing" },
    EventInfo { name: "StopFailure", matcher: Some("error"), policy: SYNC,
        why: "fires just before a -p run exits; sync plus SIGTERM deferral keeps the event" },
    EventInfo { name: "SubagentStart", matcher: Some("agent type"), policy: ANY,
        why: "observation only" },
    EventInfo { name: "SubagentStop", matcher: Some("agent type"), policy: SYNC,
        why: "turn boundary of a subagent; sync for the same reason as Stop" },
    EventInfo { name: "PreCompact", matcher: Some("trigger"), policy: SYNC,
        why: "plain stdout becomes compact instructions; the recorder prints nothing" },
    EventInfo { name: "PostCompact", matcher: Some("trigger"), policy: ANY,
        why: "observation only" },
    EventInfo { name: "PreModelSwitch", matcher: None, policy: SYNC,
        why: "a timeout may block the switch; the recorder is bounded and exits 0" },
    EventInfo { name: "PostModelSwitch", matcher: None, policy: ANY,
        why: "observation only" },
    EventInfo { name: "PermissionRequest", matcher: Some("tool name"), policy: SYNC,
        why: "no output means the normal dialog is shown" },
    EventInfo { name: "PermissionDenied", matcher: Some("tool name"), policy: ANY,
        why: "observation only" },
    EventInfo { name: "Setup", matcher: Some("trigger"), policy: ANY,
        why: "observation only; cannot block" },
    EventInfo { name: "TeammateIdle", matcher: None, policy: ANY,
        why: "observation only; exit 0 lets the teammate idle" },
    EventInfo { name: "TaskCreated", matcher: None, policy: ANY,
        why: "observation only; exit 0 lets the task be created" },
    EventInfo { name: "TaskCompleted", matcher: None, policy: ANY,
        why: "observation only" },
    EventInfo { name: "Elicitation", matcher: Some("mcp_server_name"), policy: SYNC,
        why: "no output leaves the user's answer alone" },
    EventInfo { name: "ElicitationResult", matcher: Some("mcp_server_name"), policy: SYNC,
        why: "no output leaves the action unchanged" },
    EventInfo { name: "ConfigChange", matcher: Some("source"), policy: ANY,
        why: "observation only; exit 0 never blocks the change" },
    EventInfo { name: "WorktreeCreate", matcher: None, policy: InstallPolicy::Skip,
        why: "a WorktreeCreate command hook REPLACES git's worktree creation: it must create the worktree and print its path, so a recorder would break worktrees" },
    EventInfo { name: "WorktreeRemove", matcher: None, policy: SYNC,
        why: "exit 0 reports success; the recorder never fails the removal" },
    EventInfo { name: "InstructionsLoaded", matcher: Some("load_reason"), policy: ANY,
        why: "observation only" },
    EventInfo { name: "CwdChanged", matcher: None, policy: ANY,
        why: "observation only" },
    EventInfo { name: "FileChanged", matcher: Some("file name"), policy: InstallPolicy::Skip,
        why: "the matcher is a list of literal file names to watch; an empty matcher watches nothing, and guessing names would change what the CLI watches" },
    EventInfo { name: "DirectoryAdded", matcher: Some("source"), policy: ANY,
        why: "observation only" },
    EventInfo { name: "MessageDisplay", matcher: None, policy: InstallPolicy::Skip,
        why: "fires for every streamed text delta: one process per delta slows the display and floods the store with no failure signal" },
];

/// Look an event up by its exact name.
pub fn event_info(name: &str) -> Option<&'static EventInfo> {
    EVENTS.iter().find(|e| e.name == name)
}
