//! Understands a Claude Code `PostToolUseFailure` event: a stable
//! [`Fingerprint`], a [`Class`] with a [`Severity`], whether the failure is
//! *expected* (counted, never alerted) and, where there is something to do,
//! [`Advice`] for the agent.
//!
//! # Cost
//!
//! This runs in a short-lived hook process on every tool failure, so nothing
//! is built at start-up: the built-in rules are hand-written substring tests
//! on a few hundred bytes of "signal" lines (no regex), and user-rule regexes
//! (`regex-lite`) are compiled only once the rule's cheap conditions (tool,
//! MCP server, command glob, project glob) matched. Errors are capped to the
//! first 64 KiB and last 16 KiB. `examples/bench_classify.rs` prints the cost
//! for a 5 KB and a 1 MB error.
//!
//! # Fingerprint rule
//!
//! The same failure in two sessions, machines or temp dirs gets the same id;
//! different failures (another missing module, command head, tool or file)
//! get different ids.
//!
//! `id` = the first 8 bytes, as 16 lowercase hex digits, of BLAKE3 over the
//! length-prefixed parts `"hookwatch-failure-fingerprint-v1"`, tool name,
//! command head (Bash; else empty), MCP server (`mcp_server.name`, else from
//! `mcp__<server>__<tool>`; else empty), `normalized_error`.
//!
//! * **Command head** ([`command_head`]): the first segment of a chain
//!   (split at `&&`, `||`, `;`, `|`, `&`, newlines) that is not a setup
//!   command (`cd`, `pushd`, `export`, `source`, `set`, ...); in it, env
//!   assignments and wrappers (`sudo`, `env`, `time`, `nice`, `timeout`,
//!   `nohup`, `xargs`, `npx`, `bunx`, `pnpm exec`/`dlx`, `npm exec`,
//!   `yarn dlx`, `uv run`, `uvx`, `poetry run`, `bash -c '...'`) are skipped.
//!   The program is the basename, lowercased (`python3.12` → `python`,
//!   `docker-compose` → `docker compose`); `python -m X` is `X`; programs
//!   with subcommands add the first non-option word (`cargo test`,
//!   `git push`, `make build`, `kubectl get`), `npm|pnpm|yarn|bun run X`
//!   adds the script, `docker compose|image|...`, `go mod`, `uv pip` add one
//!   more word, `gh`/`aws`/`gcloud`/`az` add two. Arguments never count.
//! * **`normalized_error`** (≤ 512 bytes, lines joined by `\n`):
//!   - interrupts (`is_interrupt`): just `interrupted`;
//!   - `exit N` when the Bash error starts with `Exit code N`. The code is
//!     *kept*: it separates "no match" (grep 1) from "error" (grep 2) and a
//!     crash (101, 137, 139) from an ordinary failure, and it is stable for a
//!     given failure;
//!   - `file: <name>` for Read/Write/Edit/NotebookEdit: the target's file
//!     name (not its directories), so retries on the same file group together;
//!   - then the output's first 24 *signal lines* (lines with error, ERR!, fail, fatal,
//!     panic, exception, traceback, denied, not found, cannot, refused,
//!     timed out, E-codes like ECONNREFUSED, `file:line:col`, ...) in order,
//!     each normalised, duplicates dropped, each ≤ 160 bytes, until 512
//!     bytes; if no line qualifies, the first two and last two non-empty
//!     lines.
//! * **Line normalisation**: ANSI colours removed; ASCII lowercased;
//!   whitespace runs collapsed. UUIDs → `<uuid>`; words of ≥ 7 hex digits
//!   mixing digits and letters (SHAs, container ids) → `<hex>`; long words
//!   mixing ≥ 3 digits and letters (generated names) → `<id>`; numbers with
//!   their separators and units (`0.53s`, `12ms`, `127.0.0.1`, `2026-11-22T10:00:01Z`,
//!   `10:00:01`, `0x7ffd…`, line:col, ports, PIDs) → `<n>`, except codes
//!   right after `code`/`status`/`errno`/`exit` (≤ 5 digits) or `error`
//!   (3–5 digits: HTTP statuses, `MCP error -32603`); `v1.2.3` → `v<n>`;
//!   month names before a day (`Nov 22`) → `<n>`; absolute paths (`/…`,
//!   `~/…`) → their file name (`/tmp/x/src/main.rs:3:5` → `main.rs:<n>`),
//!   a bare temp dir (`/tmp/tmp.Xy12`, `/var/folders/…/T/x`) → `<tmp>`, a
//!   bare home dir → `<home>`; URLs → `scheme://host/<last path segment>`
//!   (credentials, query, deeper path dropped). Relative paths are kept.
//!
//! # Classes
//!
//! The nine classes of [`Class`]. A path that does not exist (`File does not
//! exist.`, `No such file or directory`) is **`other`** (rule
//! `file-not-found`), not `missing_dependency`: it is nearly always the agent
//! guessing a path, and the fix (look before retrying) differs from
//! installing something. A program that does not exist (`command not found`,
//! exit 127) is `missing_dependency`.

mod advice;
mod classify;
mod command;
mod fingerprint;
mod prepare;
mod rules;

pub use classify::{builtin_rules, BuiltinInfo};
pub use command::{command_head, mcp_server_of};
pub use fingerprint::fingerprint;
pub use rules::Rules;

/// One tool failure, borrowed from the hook event.
#[derive(Debug, Clone, Copy)]
pub struct Failure<'a> {
    pub tool_name: &'a str,
    pub tool_input: Option<&'a serde_json::Value>,
    pub error: &'a str,
    pub is_interrupt: bool,
    /// `mcp_server.name` if present; if `None`, derived from a
    /// `mcp__<server>__<tool>` tool name.
    pub mcp_server: Option<&'a str>,
    pub cwd: Option<&'a str>,
    /// `CLAUDE_PROJECT_DIR`; `cwd` is used when absent.
    pub project_dir: Option<&'a str>,
}

#[derive(Debug, Clone, serde::Serialize, PartialEq)]
pub struct Fingerprint {
    /// 16 lowercase hex digits (see the crate docs for the rule).
    pub id: String,
    pub tool: String,
    /// Bash: the command head (`cargo test`, `pytest`, `docker compose up`).
    pub head: Option<String>,
    /// The normalised text that was hashed (≤ 512 bytes).
    pub normalized_error: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    Test,
    MissingDependency,
    Permission,
    Network,
    Timeout,
    Interrupted,
    Syntax,
    McpServer,
    Other,
}

impl Class {
    pub fn as_str(&self) -> &'static str {
        match self {
            Class::Test => "test",
            Class::MissingDependency => "missing_dependency",
            Class::Permission => "permission",
            Class::Network => "network",
            Class::Timeout => "timeout",
            Class::Interrupted => "interrupted",
            Class::Syntax => "syntax",
            Class::McpServer => "mcp_server",
            Class::Other => "other",
        }
    }

    pub fn all() -> &'static [Class] {
        &[
            Class::Test,
            Class::MissingDependency,
            Class::Permission,
            Class::Network,
            Class::Timeout,
            Class::Interrupted,
            Class::Syntax,
            Class::McpServer,
            Class::Other,
        ]
    }

    /// Parses the `as_str` form; `-` is accepted for `_` (`missing-dependency`).
    pub fn parse(s: &str) -> Option<Class> {
        let s = s.trim();
        Class::all().iter().copied().find(|c| {
            let n = c.as_str();
            n.len() == s.len()
                && n.bytes()
                    .zip(s.bytes())
                    .all(|(a, b)| a == b.to_ascii_lowercase() || (a == b'_' && b == b'-'))
        })
    }
}

impl std::fmt::Display for Class {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
    /// Only ever set by user rules.
    Critical,
}

impl Severity {
    pub fn as_str(&self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
            Severity::Critical => "critical",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The severity a class gets when nothing says otherwise: expected failures
/// are info (counted, never alerted); things the agent can fix itself are
/// warnings; things it cannot (environment, credentials, servers) are errors.
pub fn default_severity(class: Class, expected: bool) -> Severity {
    if expected {
        return Severity::Info;
    }
    match class {
        Class::Interrupted => Severity::Info,
        Class::Test | Class::MissingDependency | Class::Syntax | Class::Other => Severity::Warning,
        Class::Permission | Class::Network | Class::Timeout | Class::McpServer => Severity::Error,
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Verdict {
    pub fingerprint: Fingerprint,
    pub class: Class,
    pub severity: Severity,
    pub expected: bool,
    /// `builtin:<id>`, or `user:<name>` when a user rule set class, expected
    /// or severity (a rule that only adds advice or a message leaves the
    /// built-in id here; its name is in `advice.rule`).
    pub rule: String,
    pub advice: Option<Advice>,
    /// User-facing message; only user rules set one.
    pub system_message: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize, PartialEq)]
pub struct Advice {
    /// `builtin:<id>` or `user:<name>`.
    pub rule: String,
    pub text: String,
}

/// A user rule from the config. All conditions present must hold; the first
/// matching rule wins. Fields it sets override the built-in verdict, fields
/// it leaves `None` keep it. When the rule changes class or expected but not
/// severity, the severity becomes [`default_severity`] of the new pair.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct UserRule {
    pub name: String,
    /// Glob (text) over the tool name.
    pub tool: Option<String>,
    /// Glob (text) over the MCP server name.
    pub mcp_server: Option<String>,
    /// Glob (text) over the trimmed Bash command.
    pub command: Option<String>,
    /// regex-lite over the Bash command.
    pub command_regex: Option<String>,
    /// regex-lite over the error text (capped like the classifier's input).
    pub error: Option<String>,
    /// Glob (path) over the project dir (else cwd).
    pub project: Option<String>,
    pub class: Option<Class>,
    pub severity: Option<Severity>,
    pub expected: Option<bool>,
    pub advice: Option<String>,
    pub system_message: Option<String>,
}
