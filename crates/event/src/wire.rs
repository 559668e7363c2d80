//! Field-by-field shape of each event, per the 2.1.330 reference (§2-§5).
//! Every field is optional: Claude Code omits fields freely, and a field it
//! sends with an unexpected type is left in [`crate::Event::extra`].

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Declares a struct of optional fields plus `take`, which moves the fields
/// it knows out of the map and leaves the rest.
macro_rules! fields {
    ($(#[$m:meta])* $name:ident { $( $(#[$fm:meta])* $field:ident : $ty:ty ),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default, PartialEq, Serialize)]
        pub struct $name { $( $(#[$fm])* pub $field: Option<$ty>, )* }
        impl $name {
            pub(crate) fn take(map: &mut Map<String, Value>) -> Self {
                Self { $( $field: crate::take(map, stringify!($field)), )* }
            }
        }
    };
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Effort {
    pub level: Option<String>,
}

/// `mcp_server` on tool events for `mcp__*` tools.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct McpServer {
    pub name: Option<String>,
    pub source: Option<String>,
}

fields! {
    /// Fields of every event (§2).
    Common {
        session_id: String,
        transcript_path: String,
        cwd: String,
        /// UUID of the current user prompt; absent before the first input.
        prompt_id: String,
        permission_mode: String,
        /// Only inside a subagent.
        agent_id: String,
        agent_type: String,
        effort: Effort,
        hook_event_name: String,
        /// Set by the runtime builder when a scratchpad exists.
        scratchpad_dir: String,
    }
}

fields! {
    /// Shared by PreToolUse, PostToolUse, PostToolUseFailure, PermissionDenied.
    ToolCall {
        tool_name: String,
        tool_input: Value,
        tool_use_id: String,
        mcp_server: McpServer,
    }
}

/// Declares a struct that embeds [`ToolCall`] plus its own fields.
macro_rules! tool_event {
    ($(#[$m:meta])* $name:ident { $( $field:ident : $ty:ty ),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default, PartialEq, Serialize)]
        pub struct $name { pub tool: ToolCall, $( pub $field: Option<$ty>, )* }
        impl $name {
            pub(crate) fn take(map: &mut Map<String, Value>) -> Self {
                Self { tool: ToolCall::take(map), $( $field: crate::take(map, stringify!($field)), )* }
            }
        }
    };
}

tool_event!(PreToolUse {});
tool_event!(PostToolUse {
    tool_response: Value,
    duration_ms: u64
});
tool_event!(
    /// §4: fired when the tool call throws (non-zero exit, timeout, MCP error,
    /// interrupt). There is no tool_response, exit_code or stderr field.
    PostToolUseFailure { error: String, is_interrupt: bool, duration_ms: u64 }
);
tool_event!(PermissionDenied { reason: String });

fields! { PermissionRequest { tool_name: String, tool_input: Value, permission_suggestions: Value, mcp_server: McpServer } }
fields! { PostToolBatch { tool_calls: Vec<Value> } }
fields! { Notification { message: String, title: String, notification_type: String } }
fields! { UserPromptSubmit { prompt: String, source: String, session_title: String } }
fields! { UserPromptExpansion { expansion_type: String, command_name: String, command_args: Value, command_source: String, prompt: String } }
fields! { SessionStart { source: String, agent_type: String, model: String, session_title: String,
seconds_since_last_response: f64, context_tokens: u64, prompt_cache_likely_expired: bool, estimated_cache_write_usd: f64 } }
fields! { SessionEnd { reason: String } }
fields! { Stop { stop_hook_active: bool, last_assistant_message: String, background_tasks: Vec<Value>, session_crons: Vec<Value> } }
fields! {
    /// §5: `error` is one of [`STOP_FAILURE_ERRORS`] or any future string.
    StopFailure { error: String, error_details: String, last_assistant_message: String }
}
fields! { SubagentStart { agent_id: String, agent_type: String } }
fields! { SubagentStop { stop_hook_active: bool, agent_id: String, agent_transcript_path: String, agent_type: String,
last_assistant_message: String, background_tasks: Vec<Value>, session_crons: Vec<Value> } }
fields! { PreCompact { trigger: String, custom_instructions: String } }
fields! { PostCompact { trigger: String, compact_summary: String } }
fields! { ModelSwitch { from_model: String, to_model: String, requested_model: String, source: String,
context_tokens: u64, prompt_cache_warm: bool, cache_ttl: String, estimated_cache_write_usd: f64, pricing: String } }
fields! { Setup { trigger: String } }
fields! { TeammateIdle { teammate_name: String, team_name: String } }
fields! { Task { task_id: String, task_subject: String, task_description: String, teammate_name: String, team_name: String } }
fields! { Elicitation { mcp_server_name: String, message: String, mode: String, url: String, elicitation_id: String, requested_schema: Value } }
fields! { ElicitationResult { mcp_server_name: String, elicitation_id: String, mode: String, action: String, content: Value } }
fields! { ConfigChange { source: String, file_path: String } }
fields! { WorktreeCreate { name: String } }
fields! { WorktreeRemove { worktree_path: String } }
fields! { InstructionsLoaded { file_path: String, memory_type: String, load_reason: String, globs: Value,
trigger_file_path: String, parent_file_path: String } }
fields! { CwdChanged { old_cwd: String, new_cwd: String } }
fields! { FileChanged { file_path: String, event: String } }
fields! { DirectoryAdded { directory: String, source: String } }
fields! { MessageDisplay { turn_id: String, message_id: String, index: u64, delta: String } }

/// The 13 StopFailure error values of 2.1.330 (§5). Others are kept as sent.
pub const STOP_FAILURE_ERRORS: &[&str] = &[
    "authentication_failed",
    "oauth_org_not_allowed",
    "account_on_hold",
    "verification_required",
    "billing_error",
    "rate_limit",
    "overloaded",
    "invalid_request",
    "model_not_found",
    "server_error",
    "unknown",
    "max_output_tokens",
    "cloud_credential_error",
];

/// The 19 Notification types of 2.1.330 (§3). Others are kept as sent.
pub const NOTIFICATION_TYPES: &[&str] = &[
    "permission_prompt",
    "idle_prompt",
    "auth_success",
    "elicitation_dialog",
    "agent_needs_input",
    "agent_completed",
    "elicitation_url_dialog",
    "worker_permission_prompt",
    "push_notification",
    "computer_use_enter",
    "computer_use_exit",
    "quota_auto_resume_fired",
    "quota_auto_resume_stale",
    "quota_auto_resume_disabled",
    "model_refusal_fallback",
    "auth_storage_failure",
    "plugin_notification",
    "elicitation_complete",
    "elicitation_response",
];

/// The event's own fields, by event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Body {
    PreToolUse(PreToolUse),
    PostToolUse(PostToolUse),
    PostToolUseFailure(PostToolUseFailure),
    PostToolBatch(PostToolBatch),
    Notification(Notification),
    UserPromptSubmit(UserPromptSubmit),
    UserPromptExpansion(UserPromptExpansion),
    SessionStart(SessionStart),
    SessionEnd(SessionEnd),
    Stop(Stop),
    StopFailure(StopFailure),
    SubagentStart(SubagentStart),
    SubagentStop(SubagentStop),
    PreCompact(PreCompact),
    PostCompact(PostCompact),
    PreModelSwitch(ModelSwitch),
    PostModelSwitch(ModelSwitch),
    PermissionRequest(PermissionRequest),
    PermissionDenied(PermissionDenied),
    Setup(Setup),
    TeammateIdle(TeammateIdle),
    TaskCreated(Task),
    TaskCompleted(Task),
    Elicitation(Elicitation),
    ElicitationResult(ElicitationResult),
    ConfigChange(ConfigChange),
    WorktreeCreate(WorktreeCreate),
    WorktreeRemove(WorktreeRemove),
    InstructionsLoaded(InstructionsLoaded),
    CwdChanged(CwdChanged),
    FileChanged(FileChanged),
    DirectoryAdded(DirectoryAdded),
    MessageDisplay(MessageDisplay),
    /// A name this version does not know (or none): all its fields stay in
    /// `Event::extra`.
    Unknown,
}

impl Body {
    pub(crate) fn take(name: &str, m: &mut Map<String, Value>) -> Body {
        match name {
            "PreToolUse" => Body::PreToolUse(PreToolUse::take(m)),
            "PostToolUse" => Body::PostToolUse(PostToolUse::take(m)),
            "PostToolUseFailure" => Body::PostToolUseFailure(PostToolUseFailure::take(m)),
            "PostToolBatch" => Body::PostToolBatch(PostToolBatch::take(m)),
            "Notification" => Body::Notification(Notification::take(m)),
            "UserPromptSubmit" => Body::UserPromptSubmit(UserPromptSubmit::take(m)),
            "UserPromptExpansion" => Body::UserPromptExpansion(UserPromptExpansion::take(m)),
            "SessionStart" => Body::SessionStart(SessionStart::take(m)),
            "SessionEnd" => Body::SessionEnd(SessionEnd::take(m)),
            "Stop" => Body::Stop(Stop::take(m)),
            "StopFailure" => Body::StopFailure(StopFailure::take(m)),
            "SubagentStart" => Body::SubagentStart(SubagentStart::take(m)),
            "SubagentStop" => Body::SubagentStop(SubagentStop::take(m)),
            "PreCompact" => Body::PreCompact(PreCompact::take(m)),
            "PostCompact" => Body::PostCompact(PostCompact::take(m)),
            "PreModelSwitch" => Body::PreModelSwitch(ModelSwitch::take(m)),
            "PostModelSwitch" => Body::PostModelSwitch(ModelSwitch::take(m)),
            "PermissionRequest" => Body::PermissionRequest(PermissionRequest::take(m)),
            "PermissionDenied" => Body::PermissionDenied(PermissionDenied::take(m)),
            "Setup" => Body::Setup(Setup::take(m)),
            "TeammateIdle" => Body::TeammateIdle(TeammateIdle::take(m)),
            "TaskCreated" => Body::TaskCreated(Task::take(m)),
            "TaskCompleted" => Body::TaskCompleted(Task::take(m)),
            "Elicitation" => Body::Elicitation(Elicitation::take(m)),
            "ElicitationResult" => Body::ElicitationResult(ElicitationResult::take(m)),
            "ConfigChange" => Body::ConfigChange(ConfigChange::take(m)),
            "WorktreeCreate" => Body::WorktreeCreate(WorktreeCreate::take(m)),
            "WorktreeRemove" => Body::WorktreeRemove(WorktreeRemove::take(m)),
            "InstructionsLoaded" => Body::InstructionsLoaded(InstructionsLoaded::take(m)),
            "CwdChanged" => Body::CwdChanged(CwdChanged::take(m)),
            "FileChanged" => Body::FileChanged(FileChanged::take(m)),
            "DirectoryAdded" => Body::DirectoryAdded(DirectoryAdded::take(m)),
            "MessageDisplay" => Body::MessageDisplay(MessageDisplay::take(m)),
            // `final` is a Rust keyword, so MessageDisplay's `final` flag stays in `extra`.
            _ => Body::Unknown,
        }
    }
}
