//! Command-line interface of everything except the hook fast path. Each arm
//! is one call into `cmd`.

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Exit codes:
  0  success (`hookwatch hook` exits 0 unless a guard policy blocks a tool
     call with guard.deny_with = \"exit2\")
  1  error (the message says what to do)
  2  invalid command line; for `hookwatch hook`: a PreToolUse guard block
  `hookwatch run` exits with the status of the last Claude Code run (0 once
  a resume succeeded); `hookwatch alerts test` exits 1 when the target did
  not take the test notification; `hookwatch scrub --report` exits 3 when
  it found a secret

Environment:
  HOOKWATCH_HOME   holds config.toml and all data (default: XDG paths)
  HOOKWATCH_MAX_PAYLOAD_BYTES, HOOKWATCH_FSYNC   override config values";

const PRUNE_HELP: &str = "\
Events are deleted strictly older than --before, 2,000 per transaction, and
the database file gives the space back as it goes. Kept whatever their age:
the newest event (ids are never reused), events alert routing or recovery
has not looked at yet, the event of a pending alert, the events of a session
being resumed. Alert history and the outbox keep their own 30 days.

A database created by an older hookwatch is not in incremental auto-vacuum
mode: freed pages are reused but the file does not shrink until one
`hookwatch prune --vacuum` (`--json` shows auto_vacuum). --vacuum rewrites the
whole file: it needs free disk space about the size of the database and
holds the write lock while it runs (hooks keep recording to the spool;
queries and the worker wait or retry). The worker never does it.

A --before in the future is refused: it would delete every event.";

const EXPORT_HELP: &str = "\
Every column hookwatch stores, from data scrubbed before it was stored.
JSONL: the object `events --json` prints, one per line (payload and outcome
as nested JSON). CSV: RFC 4180 (CRLF line ends, quotes doubled), UTF-8, the
same columns in the same order; payload and outcome are JSON text, an empty
field is null. `raw` (the input of an event that was not JSON) is its
scrubbed bytes as UTF-8, invalid bytes as U+FFFD.";

#[derive(Parser)]
#[command(name = "hookwatch", version, about = "Records, scrubs and queries every Claude Code hook event",
    after_help = AFTER_HELP, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Scope {
    /// ~/.claude/settings.json (honours CLAUDE_CONFIG_DIR)
    User,
    /// <project>/.claude/settings.json, shared with the team
    Project,
    /// <project>/.claude/settings.local.json, not committed
    Local,
}

/// Which events: the filters `events`, `tail` and `export` share.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct FilterArgs {
    /// Only this event (e.g. PostToolUseFailure)
    #[arg(long)]
    pub event: Option<String>,
    /// Only this session id
    #[arg(long)]
    pub session: Option<String>,
    /// Only this tool (e.g. Bash, mcp__github__create_issue)
    #[arg(long)]
    pub tool: Option<String>,
    /// Only failures with this fingerprint (`hookwatch stats` lists the top ones)
    #[arg(long)]
    pub fingerprint: Option<String>,
    /// Only failures of this class (test, missing_dependency, permission, network,
    /// timeout, interrupted, syntax, mcp_server, other)
    #[arg(long)]
    pub class: Option<String>,
    /// Only events from this time on: an age (30s, 15m, 2h, 7d, 1h30m) or an
    /// RFC 3339 date or date-time (2026-09-01 is midnight UTC, 2026-09-01T12:00:00Z)
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
}

#[derive(clap::Args, Debug, Clone)]
pub struct QueryArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Print JSON Lines, one object per event
    #[arg(long)]
    pub json: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ExportFormat {
    /// One JSON object per line, the payload as nested JSON
    Jsonl,
    /// RFC 4180: a header row, the payload and outcome as JSON text columns
    Csv,
}

/// Which settings file `install` / `uninstall` edit, and whether to write it.
#[derive(clap::Args, Debug, Clone)]
pub struct SettingsTarget {
    #[arg(long, value_enum, default_value = "user")]
    pub scope: Scope,
    /// Project root for --scope project/local (default: current directory)
    #[arg(long)]
    pub project_dir: Option<PathBuf>,
    /// Show the change as a diff, write nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Subcommand)]
enum Cmd {
    /// The hook handler: reads one event on stdin, scrubs it, records it, exits 0
    Hook,
    /// Register `hookwatch hook` in Claude Code's settings
    Install {
        #[command(flatten)]
        target: SettingsTarget,
        /// Run the recorder with "async": true on events where hookwatch never answers
        #[arg(long = "async")]
        asynchronous: bool,
        /// Seconds Claude Code waits for the hook before cancelling it
        #[arg(long, default_value_t = 5)]
        timeout: u32,
        /// Also resume sessions that stop on a rate limit or overload (for
        /// this project, or every project with --scope user)
        #[arg(long)]
        recover: bool,
        /// Also set up attention notifications (Claude is done, needs you):
        /// desktop, ntfy=TOPIC, slack, discord, telegram=CHAT_ID, webhook
        /// (secrets from the env vars `hookwatch notify setup` names), then
        /// send a sample of each kind
        #[arg(long, value_name = "TYPE[=ARG]")]
        notify: Option<String>,
        /// Also run your other command hooks in this file through
        /// `hookwatch wrap`, so `hookwatch health` sees every run (output
        /// and exit codes unchanged; uninstall restores the commands)
        #[arg(long)]
        wrap: bool,
    },
    /// Remove the recorder `install` added (the exact original bytes come back
    /// when nothing else changed meanwhile)
    Uninstall {
        #[command(flatten)]
        target: SettingsTarget,
    },
    /// List recorded events, oldest first
    Events {
        #[command(flatten)]
        q: QueryArgs,
        /// Show the newest N events
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// One event in full, with its scrubbed payload
    Show {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Failure rate per tool and MCP server, classes, top fingerprints,
    /// repeated failures, guard decisions, StopFailure per error type
    Stats {
        #[arg(long)]
        since: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The web dashboard: failures over time, rates, sessions and their
    /// timelines, failures across sessions, search, alerts and recovery
    Serve {
        /// Address to listen on; anything but loopback needs --token
        #[arg(long, default_value = "127.0.0.1:7787")]
        addr: std::net::SocketAddr,
        /// Open it in the browser (xdg-open)
        #[arg(long)]
        open: bool,
        /// No actions (silences, retries, cancels): a view only
        #[arg(long)]
        read_only: bool,
        /// Require an access token (generated on first use, kept with mode
        /// 0600 in the data dir, printed once); required off loopback
        #[arg(long)]
        token: bool,
        /// Another name the dashboard may be reached by (the Host header is
        /// checked against DNS rebinding); repeatable
        #[arg(long = "host-name", value_name = "NAME")]
        host_names: Vec<String>,
    },
    /// A live view in the terminal: failure rates per tool and MCP server,
    /// top and recent failures, StopFailures, recovery jobs, the alert
    /// queue; plain text (as --once) when stdout is not a terminal
    Top {
        /// Only this project (its directory, as `hookwatch events` shows it)
        #[arg(long)]
        project: Option<String>,
        /// Only this session id
        #[arg(long)]
        session: Option<String>,
        /// Time range: 1h, 24h, 7d, 30d, 90d, all (or any Nm, Nh, Nd, Nw)
        #[arg(long, default_value = "7d", value_parser = parse_range)]
        range: hookwatch_view::Range,
        /// Print the figures once as plain text and exit
        #[arg(long)]
        once: bool,
        /// Print the figures once as JSON and exit
        #[arg(long)]
        json: bool,
    },
    /// Follow new events as they are recorded
    Tail {
        #[command(flatten)]
        q: QueryArgs,
        /// Events to show before following
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Poll interval in milliseconds
        #[arg(long, default_value_t = 250, hide = true)]
        interval_ms: u64,
    },
    /// Show the effective configuration and where each value came from
    Config {
        #[command(subcommand)]
        action: Option<ConfigAction>,
        #[arg(long)]
        json: bool,
    },
    /// Feed realistic events through the real hook path and show the result
    Demo {
        /// Use this HOOKWATCH_HOME instead of a new temporary one
        #[arg(long)]
        home: Option<PathBuf>,
    },
    /// Move spooled events into the database (queries do this themselves)
    Ingest {
        /// Worker mode: exit at once if another worker runs; log to worker.log
        #[arg(long)]
        background: bool,
        #[arg(long)]
        json: bool,
    },
    /// Failure rules: list them, or try them on recorded failures
    Rules {
        #[command(subcommand)]
        action: RulesAction,
    },
    /// PreToolUse guard: try a command, read the audit log, waive one block
    Guard {
        #[command(subcommand)]
        action: GuardAction,
    },
    /// Alert notifications: list the outbox, retry dead ones, test a target
    #[command(args_conflicts_with_subcommands = true)]
    Alerts {
        #[command(subcommand)]
        action: Option<AlertsAction>,
        #[command(flatten)]
        list: AlertsList,
    },
    /// Why a hook never fires: every settings file Claude Code merges, the
    /// effective hooks and what is wrong with them (exit 1 on findings at
    /// or above --fail-on)
    Doctor {
        /// The project to check (default: the current directory)
        #[arg(long)]
        project: Option<std::path::PathBuf>,
        #[arg(long)]
        json: bool,
        /// error, warning or info
        #[arg(long, default_value = "error")]
        fail_on: String,
        /// PATH to resolve commands with (default: a system PATH, as a
        /// Claude Code not started from a login shell has)
        #[arg(long)]
        path: Option<String>,
        /// Days of recorded tool calls to compare matchers with
        #[arg(long, default_value_t = 30)]
        days: u32,
        /// Also run Claude Code (`claude --init-only`: Setup and
        /// SessionStart hooks, no model call) and report which hooks ran
        #[arg(long)]
        live: bool,
        /// With --live: also one real `claude -p` turn that calls Bash, to
        /// probe prompt, tool and Stop hooks (spends tokens)
        #[arg(long)]
        spend_tokens: bool,
        /// The Claude Code program
        #[arg(long, default_value = "claude")]
        claude: String,
    },
    /// Every hook's runs, failures, blocks, timeouts and durations, from
    /// Claude Code's own session transcripts (any hook, not only hookwatch's)
    Health {
        /// Transcripts of the last N days
        #[arg(long, default_value_t = 7)]
        days: u32,
        /// Only this project's sessions
        #[arg(long)]
        project: Option<std::path::PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Run any hook command against recorded events or fixtures, as Claude
    /// Code runs it, and check it against the event's contract
    Test {
        /// Recorded events to feed it (`hookwatch events` lists ids)
        #[arg(long = "event-id")]
        event_ids: Vec<i64>,
        /// The events of a recorded session
        #[arg(long)]
        session: Option<String>,
        /// Recorded events of this kind (e.g. PreToolUse)
        #[arg(long)]
        event: Option<String>,
        /// At most this many recorded events (newest)
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// A JSON payload, or a TOML file of cases with expectations
        #[arg(long = "fixture")]
        fixtures: Vec<std::path::PathBuf>,
        /// The project (CLAUDE_PROJECT_DIR and the working directory)
        #[arg(long)]
        project: Option<std::path::PathBuf>,
        /// Seconds before the hook is killed, as Claude Code would
        #[arg(long, default_value_t = 60.0)]
        timeout: f64,
        /// Also run each event as Claude Code may send it: stop_hook_active,
        /// a plugin's MCP tool name, from a subdirectory
        #[arg(long)]
        variants: bool,
        /// text, tap or junit
        #[arg(long, default_value = "text")]
        format: String,
        /// The hook command (run with bash -c, as Claude Code does)
        #[arg(last = true, required = true)]
        command: Vec<String>,
    },
    /// Recorded events through today's guard rules, failure rules, advice
    /// and alert routing: what would now be decided differently
    Replay {
        /// The events of this session
        #[arg(long)]
        session: Option<String>,
        /// Or everything since (an age like 7d, or a date)
        #[arg(long)]
        since: Option<String>,
        #[arg(long, default_value_t = 10_000)]
        limit: usize,
        #[arg(long)]
        json: bool,
        /// Show unchanged decisions too
        #[arg(long)]
        all: bool,
        /// Feed the events to this hook command instead (checked as
        /// `hookwatch test` does)
        #[arg(last = true)]
        command: Vec<String>,
    },
    /// A hook to start from, in bash, python or rust, that reads the event
    /// from stdin and answers by the contract, with test cases
    NewHook {
        /// bash, python or rust
        lang: String,
        /// The event, e.g. PreToolUse
        event: String,
        /// Where to write it, e.g. .claude/hooks/guard.sh
        path: std::path::PathBuf,
    },
    /// Fixtures for `hookwatch test` from recorded events
    Fixtures {
        #[command(subcommand)]
        action: FixturesAction,
    },
    /// Attention notifications: tell a person when Claude is done, needs
    /// them, is idle or failed (docs/notify.md)
    Notify {
        #[command(subcommand)]
        action: NotifyAction,
    },
    /// OpenTelemetry export to a collector: send a test record of each
    /// signal, or show how far export has come (docs/otel.md)
    Otel {
        #[command(subcommand)]
        action: OtelAction,
    },
    /// Mute alerts that match for a while (author, comment, expiry)
    Silence {
        #[command(subcommand)]
        action: SilenceAction,
    },
    /// Ingest, route and deliver alerts now, in the foreground
    Drain {
        /// Stay until nothing is pending (waits out group timers and retries)
        #[arg(long)]
        wait: bool,
        #[arg(long)]
        json: bool,
    },
    /// Deliver alerts continuously (for machines where hooks may not fire
    /// for hours; the hook starts a worker by itself otherwise)
    Daemon,
    /// Resume sessions that stopped on a rate limit or overload: the jobs
    Recover {
        #[command(subcommand)]
        action: RecoverAction,
    },
    /// Run an unattended Claude Code job that survives rate limits: on a
    /// retryable StopFailure, wait and resume it here (e.g. in CI)
    #[command(trailing_var_arg = true)]
    Run {
        /// The command: claude -p "task" [options]
        #[arg(required = true, allow_hyphen_values = true)]
        command: Vec<String>,
    },
    /// Print a file (or stdin) with every secret replaced by [REDACTED:<rule>],
    /// the scrubber the hook uses; --report lists what was found instead
    Scrub {
        /// The file to scrub; `-` or nothing reads stdin
        file: Option<PathBuf>,
        /// List the findings (line, column, rule; never the value) instead of
        /// printing the text; exits 3 when there are any
        #[arg(long)]
        report: bool,
        /// With --report: JSON
        #[arg(long, requires = "report")]
        json: bool,
    },
    /// Apply the current scrub rules to everything already stored (after an
    /// upgrade); resumable, and a no-op once done with these rules
    Rescrub {
        /// Rows per transaction
        #[arg(long, default_value_t = 500)]
        batch: usize,
        #[arg(long)]
        json: bool,
    },
    /// Delete events older than a date or an age, in small batches; the
    /// worker does the same by itself when `[store] retention` is set
    #[command(after_help = PRUNE_HELP)]
    Prune {
        /// Delete events older than this: an age (90d, 12h, 2w) or an RFC 3339
        /// date or date-time (2026-09-01 is midnight UTC, 2026-09-01T12:00:00Z).
        /// Default: `[store] retention`
        #[arg(long, value_name = "TIME")]
        before: Option<String>,
        /// Count what would be deleted, per event kind; delete nothing
        #[arg(long, conflicts_with = "vacuum")]
        dry_run: bool,
        /// Afterwards rewrite the whole database once (VACUUM) in incremental
        /// auto-vacuum mode, so its file shrinks now and after every later prune
        #[arg(long)]
        vacuum: bool,
        #[arg(long)]
        json: bool,
    },
    /// Write recorded events, oldest first, as JSON Lines or CSV (streamed:
    /// constant memory however many)
    #[command(after_help = EXPORT_HELP)]
    Export {
        #[arg(long, value_enum, default_value = "jsonl")]
        format: ExportFormat,
        #[command(flatten)]
        filter: FilterArgs,
        /// Only events before this time (same forms as --since); --since 2026-09-01
        /// --until 2026-10-01 is September
        #[arg(long, value_name = "TIME")]
        until: Option<String>,
        /// Write to FILE instead of stdout; FILE appears only once complete
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Print shell completions
    Completions { shell: clap_complete::Shell },
}

#[derive(Subcommand)]
enum RecoverAction {
    /// Every decision about a StopFailure: resume jobs with their attempts,
    /// waits and outcomes, and failures not retried (with why)
    List {
        /// scheduled, running, succeeded, failed, cancelled, skipped, not_retried, gave_up
        #[arg(long)]
        state: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Cancel a scheduled resume
    Cancel { id: i64 },
    /// Run a scheduled resume now instead of waiting
    RunNow { id: i64 },
    /// (internal) the detached runner of one job
    #[command(hide = true)]
    Exec { id: i64 },
}

#[derive(clap::Args, Debug, Clone)]
pub struct AlertsList {
    /// Only notifications in this state: pending, sent, dead
    #[arg(long)]
    pub state: Option<String>,
    /// Show the newest N
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// Print JSON Lines, one object per notification
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
enum AlertsAction {
    /// What each routed event became: notified, deduplicated, silenced,
    /// inhibited, or pending (waiting for its group)
    History {
        #[arg(long)]
        state: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Put notifications back in line (dead ones after fixing a target)
    Retry {
        ids: Vec<i64>,
        /// Every dead notification
        #[arg(long)]
        dead: bool,
    },
    /// Send a test notification to TARGET now and show what it answered
    Test {
        target: String,
        #[arg(long)]
        json: bool,
    },
    /// Configured targets: ready (secrets found), healthy or broken
    Targets {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum FixturesAction {
    /// The newest recorded event of each kind (scrubbed) as DIR/<Event>.json,
    /// and a cases.toml to add expectations to
    Export {
        dir: std::path::PathBuf,
        /// Only these events
        #[arg(long)]
        event: Vec<String>,
    },
}

#[derive(Subcommand)]
enum OtelAction {
    /// Send one log record, span and metric point to the collector now and
    /// print its answers (exit 1 when one is not accepted)
    Test {
        #[arg(long)]
        json: bool,
    },
    /// Per signal: events waiting, last success, errors, retries, dropped
    Status {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum NotifyAction {
    /// Add a notification target to config.toml and turn [notify] on for it
    /// (secrets only as env var or file references)
    Setup {
        /// desktop, ntfy, slack, discord, telegram, webhook or command
        kind: String,
        /// ntfy: the topic; telegram: the chat id; command: the program
        arg: Option<String>,
        /// Target name (default: the type)
        #[arg(long)]
        name: Option<String>,
        /// ntfy server (default https://ntfy.sh)
        #[arg(long)]
        server: Option<String>,
        /// Env var holding the secret (Slack/Discord/webhook URL, Telegram
        /// bot token, ntfy access token)
        #[arg(long)]
        secret_env: Option<String>,
        /// File holding the secret instead (chmod 600)
        #[arg(long, conflicts_with = "secret_env")]
        secret_file: Option<String>,
        /// Show the change, write nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Send a sample of each kind (or KIND: done, needs_you, idle, failed)
    /// to its targets now and show what each answered
    Test {
        kind: Option<String>,
        /// Only this target
        #[arg(long)]
        target: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// What became of each event that deserved attention: sent, or
    /// suppressed and why (cooldown, quiet hours, short turn …)
    Log {
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Claude Code's Notification types and the kind each becomes
    Types {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum SilenceAction {
    /// Mute alerts matching every MATCHER (label=value, label!=value,
    /// label=~regex, label!~regex; labels: event, tool, mcp_server, class,
    /// severity, expected, project, project_name, session, error_type,
    /// fingerprint, command_head)
    Add {
        #[arg(required = true)]
        matchers: Vec<String>,
        /// How long (default 2h)
        #[arg(long = "for")]
        duration: Option<String>,
        /// Start later (e.g. 1h) instead of now
        #[arg(long)]
        starts_in: Option<String>,
        /// Why (required)
        #[arg(long)]
        comment: String,
        /// Who (default $USER)
        #[arg(long)]
        author: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Active and pending silences (--all: expired too)
    List {
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// End a silence now
    Expire { id: i64 },
}

#[derive(Subcommand)]
enum RulesAction {
    /// Built-in and user failure rules, in the order they are tried
    List {
        #[arg(long)]
        json: bool,
    },
    /// Classify recorded failures with the current rules (or a candidate
    /// config file) and show class, expected flag, deciding rule and advice
    Test {
        /// Only failures this user rule decides
        #[arg(long)]
        rule: Option<String>,
        /// Take the rules from this config file instead (same format as config.toml)
        #[arg(long)]
        file: Option<PathBuf>,
        /// Only failures whose analysis would differ from what was recorded
        #[arg(long)]
        changed: bool,
        #[arg(long)]
        since: Option<String>,
        /// How many recorded failures to try (newest first)
        #[arg(long, default_value_t = 500)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum GuardAction {
    /// What the guard would decide for a command (or a file path with --tool Write)
    Test {
        /// Tool name: Bash, Write, Edit, MultiEdit, NotebookEdit, ...
        #[arg(long, default_value = "Bash")]
        tool: String,
        /// Working directory of the call (default: the current one)
        #[arg(long)]
        cwd: Option<String>,
        #[arg(long)]
        json: bool,
        /// The command line (quote it) or the file path
        #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
        subject: Vec<String>,
    },
    /// Every guard decision recorded: deny, ask, allow, allowed-once, error
    Log {
        /// Only this decision
        #[arg(long)]
        decision: Option<String>,
        #[arg(long)]
        since: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// The built-in policies and user rules, with their state
    Policies {
        #[arg(long)]
        json: bool,
    },
    /// Let one blocked call through once (for a person, not the agent)
    AllowOnce {
        /// The most recently denied call
        #[arg(long, conflicts_with_all = ["id", "subject"])]
        last: bool,
        /// The denied call with this event id (`hookwatch guard log`)
        #[arg(long, conflicts_with = "subject")]
        id: Option<i64>,
        /// Tool of the call given as SUBJECT
        #[arg(long, default_value = "Bash")]
        tool: String,
        /// How long the waiver stays valid (at most 24h)
        #[arg(long, default_value = "15m")]
        ttl: String,
        /// Do not ask for confirmation on the terminal
        #[arg(long, short)]
        yes: bool,
        /// The exact command (or file path) to allow
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        subject: Vec<String>,
    },
}

fn parse_range(s: &str) -> Result<hookwatch_view::Range, String> {
    hookwatch_view::Range::parse(s)
        .ok_or_else(|| "expected 1h, 24h, 7d, 30d, 90d or all (or a number of m, h, d, w)".into())
}

#[derive(Subcommand, Clone, Copy)]
pub enum ConfigAction {
    /// Print the commented default config file
    Default,
}

pub fn run() -> i32 {
    // Query output piped into `head` should end quietly, not abort.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    let result = match cli.cmd {
        Cmd::Hook => return crate::hook::run(),
        Cmd::Install {
            target,
            asynchronous,
            timeout,
            recover,
            notify,
            wrap,
        } => {
            let dry_run = target.dry_run;
            crate::cmd::install::install(&target, asynchronous, timeout, recover, wrap).and_then(
                |()| match notify {
                    Some(spec) => crate::cmd::notify::install(&spec, dry_run),
                    None => Ok(()),
                },
            )
        }
        Cmd::Doctor {
            project,
            json,
            fail_on,
            path,
            days,
            live,
            spend_tokens,
            claude,
        } => crate::cmd::doctor::run(crate::cmd::doctor::Args {
            project,
            json,
            fail_on,
            path,
            days,
            live,
            spend_tokens,
            claude,
        }),
        Cmd::Test {
            event_ids,
            session,
            event,
            limit,
            fixtures,
            project,
            timeout,
            variants,
            format,
            command,
        } => crate::cmd::hooktest::run(crate::cmd::hooktest::Args {
            command,
            event_ids,
            session,
            event,
            limit,
            fixtures,
            project,
            timeout_s: timeout,
            variants,
            format,
        }),
        Cmd::Health {
            days,
            project,
            json,
        } => crate::cmd::health::run(crate::cmd::health::Args {
            days,
            project,
            json,
        }),
        Cmd::Replay {
            session,
            since,
            limit,
            json,
            all,
            command,
        } => crate::cmd::replay::run(crate::cmd::replay::Args {
            session,
            since,
            limit,
            json,
            all,
            command,
        }),
        Cmd::NewHook { lang, event, path } => crate::cmd::newhook::run(&lang, &event, &path),
        Cmd::Fixtures {
            action: FixturesAction::Export { dir, event },
        } => crate::cmd::hooktest::export_fixtures(&dir, &event),
        Cmd::Notify { action } => match action {
            NotifyAction::Setup {
                kind,
                arg,
                name,
                server,
                secret_env,
                secret_file,
                dry_run,
            } => crate::cmd::notify::setup(&crate::cmd::notify::Setup {
                kind,
                arg,
                name,
                server,
                secret_env,
                secret_file,
                dry_run,
            }),
            NotifyAction::Test { kind, target, json } => {
                crate::cmd::notify::test(kind.as_deref(), target.as_deref(), json)
            }
            NotifyAction::Log { limit, json } => crate::cmd::notify::log(limit, json),
            NotifyAction::Types { json } => crate::cmd::notify::types(json),
        },
        Cmd::Otel { action } => match action {
            OtelAction::Test { json } => crate::cmd::otel::test(json),
            OtelAction::Status { json } => crate::cmd::otel::status(json),
        },
        Cmd::Uninstall { target } => crate::cmd::install::uninstall(&target),
        Cmd::Events { q, limit } => crate::cmd::query::events(&q, limit),
        Cmd::Show { id, json } => crate::cmd::query::show(id, json),
        Cmd::Stats { since, json } => crate::cmd::query::stats(since.as_deref(), json),
        Cmd::Serve {
            addr,
            open,
            read_only,
            token,
            host_names,
        } => crate::cmd::serve::serve(crate::cmd::serve::ServeArgs {
            addr,
            open,
            read_only,
            token,
            host_names,
        }),
        Cmd::Top {
            project,
            session,
            range,
            once,
            json,
        } => crate::cmd::top::top(crate::cmd::top::TopArgs {
            project,
            session,
            range,
            once,
            json,
        }),
        Cmd::Tail {
            q,
            limit,
            interval_ms,
        } => crate::cmd::query::tail(&q, limit, interval_ms),
        Cmd::Config { action, json } => crate::cmd::config::run(action, json),
        Cmd::Demo { home } => crate::cmd::demo::run(home),
        Cmd::Rescrub { batch, json } => crate::cmd::rescrub::run(batch, json),
        Cmd::Prune {
            before,
            dry_run,
            vacuum,
            json,
        } => crate::cmd::prune::run(&crate::cmd::prune::Args {
            before: before.as_deref(),
            dry_run,
            vacuum,
            json,
        }),
        Cmd::Export {
            format,
            filter,
            until,
            output,
        } => crate::cmd::export::run(format, &filter, until.as_deref(), output.as_deref()),
        Cmd::Scrub { file, report, json } => {
            match crate::cmd::scrub::run(file.as_deref(), report, json) {
                Ok(code) => return code,
                Err(e) => Err(e),
            }
        }
        Cmd::Ingest { background, json } => crate::cmd::ingest::run(background, json),
        Cmd::Rules { action } => match action {
            RulesAction::List { json } => crate::cmd::rules::list(json),
            RulesAction::Test {
                rule,
                file,
                changed,
                since,
                limit,
                json,
            } => crate::cmd::rules::test(&crate::cmd::rules::TestArgs {
                file: file.as_deref(),
                rule: rule.as_deref(),
                since: since.as_deref(),
                limit,
                changed,
                json,
            }),
        },
        Cmd::Guard { action } => match action {
            GuardAction::Test {
                tool,
                cwd,
                json,
                subject,
            } => crate::cmd::guard::test(&tool, cwd.as_deref(), &subject, json),
            GuardAction::Log {
                decision,
                since,
                limit,
                json,
            } => crate::cmd::guard::log(decision.as_deref(), since.as_deref(), limit, json),
            GuardAction::Policies { json } => crate::cmd::guard::policies(json),
            GuardAction::AllowOnce {
                last,
                id,
                tool,
                ttl,
                yes,
                subject,
            } => crate::cmd::guard::allow_once(&crate::cmd::guard::AllowOnce {
                last,
                id,
                tool: &tool,
                words: &subject,
                ttl: &ttl,
                yes,
            }),
        },
        Cmd::Alerts { action, list } => match action {
            None => crate::cmd::alerts::list(list.state.as_deref(), list.limit, list.json),
            Some(AlertsAction::History { state, limit, json }) => {
                crate::cmd::alerts::history(state.as_deref(), limit, json)
            }
            Some(AlertsAction::Retry { ids, dead }) => crate::cmd::alerts::retry(&ids, dead),
            Some(AlertsAction::Test { target, json }) => crate::cmd::alerts::test(&target, json),
            Some(AlertsAction::Targets { json }) => crate::cmd::alerts::targets(json),
        },
        Cmd::Silence { action } => match action {
            SilenceAction::Add {
                matchers,
                duration,
                starts_in,
                comment,
                author,
                json,
            } => crate::cmd::alerts::silence_add(&crate::cmd::alerts::SilenceAdd {
                matchers: &matchers,
                duration: duration.as_deref(),
                starts: starts_in.as_deref(),
                comment: &comment,
                author: author.as_deref(),
                json,
            }),
            SilenceAction::List { all, json } => crate::cmd::alerts::silence_list(all, json),
            SilenceAction::Expire { id } => crate::cmd::alerts::silence_expire(id),
        },
        Cmd::Recover { action } => match action {
            RecoverAction::List { state, limit, json } => {
                crate::cmd::recover::list(state.as_deref(), limit, json)
            }
            RecoverAction::Cancel { id } => crate::cmd::recover::cancel(id),
            RecoverAction::RunNow { id } => crate::cmd::recover::run_now(id),
            RecoverAction::Exec { id } => crate::recover::runner::exec(id),
        },
        Cmd::Run { command } => match crate::recover::supervise::run(&command) {
            Ok(code) => return code,
            Err(e) => Err(e),
        },
        Cmd::Drain { wait, json } => crate::cmd::alerts::drain(wait, json),
        Cmd::Daemon => crate::cmd::alerts::daemon(),
        Cmd::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "hookwatch",
                &mut std::io::stdout(),
            );
            Ok(())
        }
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!(
                "hookwatch: error: {}",
                hookwatch_scrub::scrub_str(&format!("{e:#}"))
            );
            1
        }
    }
}
