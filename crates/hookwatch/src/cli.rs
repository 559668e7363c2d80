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

#[derive(clap::Args, Debug, Clone)]
pub struct QueryArgs {
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
    /// Only events newer than this (30s, 15m, 2h, 7d, 1h30m)
    #[arg(long)]
    pub since: Option<String>,
    /// Print JSON Lines, one object per event
    #[arg(long)]
    pub json: bool,
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
        } => crate::cmd::install::install(&target, asynchronous, timeout, recover),
        Cmd::Uninstall { target } => crate::cmd::install::uninstall(&target),
        Cmd::Events { q, limit } => crate::cmd::query::events(&q, limit),
        Cmd::Show { id, json } => crate::cmd::query::show(id, json),
        Cmd::Stats { since, json } => crate::cmd::query::stats(since.as_deref(), json),
        Cmd::Tail {
            q,
            limit,
            interval_ms,
        } => crate::cmd::query::tail(&q, limit, interval_ms),
        Cmd::Config { action, json } => crate::cmd::config::run(action, json),
        Cmd::Demo { home } => crate::cmd::demo::run(home),
        Cmd::Rescrub { batch, json } => crate::cmd::rescrub::run(batch, json),
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
