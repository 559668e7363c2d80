//! Test support for driving the **real** Claude Code CLI offline.
//!
//! hookwatch observes Claude Code hook events, so its end-to-end tests run
//! the real `claude` binary (pinned to [`claude::CLAUDE_VERSION`]) rather
//! than replaying hand-written payloads. This crate provides:
//!
//! - [`ApiStandin`]: a scripted stand-in for the Anthropic Messages API on
//!   `127.0.0.1`, answering each main-loop turn with the next [`Action`]
//!   (tool calls, text, or an API error) and logging every request so a test
//!   can check what the model would have seen. The `api-standin` binary
//!   serves a JSON scenario file for manual runs.
//! - [`claude`]: locating the CLI ([`find_claude`], [`require_claude`]),
//!   running it hermetically ([`run_claude`]) and a throwaway
//!   project/HOME layout ([`TempProject`]).
//! - [`receiver`]: a scripted HTTP/1.1 server on `127.0.0.1` for tests of
//!   things that send HTTP (alert targets, the outbox worker).
//!
//! # What the CLI needs (observed with 2.1.330, running as root)
//!
//! - No onboarding or trust state. In `-p` (print) mode the CLI neither asks
//!   for onboarding nor for workspace trust, and project hooks from
//!   `<cwd>/.claude/settings.json` fire with a completely empty `HOME`; the
//!   CLI writes its own `$HOME/.claude.json` on first start. So
//!   [`TempProject`] writes nothing into `home/`.
//! - `--dangerously-skip-permissions` is refused as root; `--allowedTools
//!   Bash` is what lets Bash run.
//! - stdin must be `/dev/null` (as [`run_claude`] sets it): `claude -p`
//!   appends piped stdin to the prompt, and an open pipe with no data makes
//!   it wait 3 s ("no stdin data received in 3s") before starting.
//! - `Read` runs without being listed in `--allowedTools`; its tool_result
//!   is the file with line numbers (`"1\tcontents\n2\t"`), not raw bytes.
//! - Exit status is 0 on success and 1 when the turn ended on an API error;
//!   the JSON result then has `is_error: true`, `terminal_reason:
//!   "api_error"`, `api_error_status` (e.g. 429) — but still `subtype:
//!   "success"`, so check `is_error`/`terminal_reason`, not `subtype`.
//! - With nonessential traffic disabled the CLI only makes main-loop
//!   requests (`POST /v1/messages?beta=true`, `stream: true`), one per turn;
//!   no title or count_tokens requests were seen. The stand-in still answers
//!   those, without consuming the script, in case a run makes them.
//! - The request `messages` array includes a `role: "system"` entry
//!   carrying the environment block, next to the usual user/assistant turns.
//! - Transcripts go to `$HOME/.claude/projects/<cwd with every non
//!   alphanumeric character replaced by '-'>/<session_id>.jsonl`
//!   ([`claude_project_dir_name`]).
//! - A run takes about 0.5 s on an idle machine but is CPU-heavy while
//!   starting: 30 concurrent runs on 2 cores took about 20 s each. Give
//!   [`run_claude`] a timeout measured in tens of seconds, not seconds.
//!
//! [`find_claude`]: claude::find_claude
//! [`require_claude`]: claude::require_claude
//! [`run_claude`]: claude::run_claude
//! [`TempProject`]: claude::TempProject
//! [`claude_project_dir_name`]: claude::claude_project_dir_name

pub mod api_standin;
pub mod claude;
pub mod otlp;
pub mod receiver;

pub use api_standin::{Action, ApiStandin, LoggedRequest, ScenarioError};
pub use claude::{find_claude, require_claude, run_claude, ClaudeRun, TempProject};
pub use receiver::{Plan, Received, Receiver, Reply};
