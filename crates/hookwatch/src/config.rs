//! Configuration: defaults, then the TOML file, then `HOOKWATCH_*` variables.
//! On the hook path a broken config means a warning and the defaults; other
//! commands stop and say which file and line is wrong.

use serde::{Deserialize, Serialize};
use std::path::Path;

pub const DEFAULT_CONFIG: &str = include_str!("default-config.toml");

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub store: StoreConfig,
    pub failure: FailureConfig,
    pub guard: GuardSection,
    pub alerts: hookwatch_alert::AlertsConfig,
    /// Attention notifications: Claude is done, needs you, is idle, failed.
    pub notify: hookwatch_attention::NotifyConfig,
    pub recover: RecoverConfig,
    /// OpenTelemetry export of events, metrics and session traces.
    pub otel: hookwatch_otel::OtelConfig,
}

/// `[recover]`: resuming sessions that stopped on a retryable API error.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct RecoverConfig {
    /// Resume in every project.
    pub enabled: bool,
    /// Project directories where resuming is on even when `enabled` is
    /// false (exact paths, or a path ending in `/*` for everything below).
    pub projects: Vec<String>,
    /// What the resumed run is told; `{error}` becomes the error type.
    pub continue_prompt: String,
    /// The Claude Code program (a name on PATH or a path).
    pub claude: String,
    /// Extra arguments for the resumed run, e.g. ["--allowedTools", "Bash"].
    pub args: Vec<String>,
    /// Full-jitter exponential backoff when the message gives no reset time.
    pub backoff_base: String,
    pub backoff_cap: String,
    /// Added to a reset time the message gave (clocks differ).
    pub reset_margin: String,
    /// Resumes per session, after which hookwatch gives up and says so.
    pub max_attempts_per_session: u32,
    /// Resumes per day on this machine, all sessions together.
    pub max_per_day: u32,
    /// A resumed run still going after this is stopped.
    pub timeout: String,
}

impl Default for RecoverConfig {
    fn default() -> Self {
        RecoverConfig {
            enabled: false,
            projects: Vec::new(),
            continue_prompt: "The previous turn stopped on an API error ({error}). Continue the task where you left off.".into(),
            claude: "claude".into(),
            args: Vec::new(),
            backoff_base: "30s".into(),
            backoff_cap: "30m".into(),
            reset_margin: "15s".into(),
            max_attempts_per_session: 3,
            max_per_day: 20,
            timeout: "1h".into(),
        }
    }
}

impl RecoverConfig {
    /// Is resuming on for sessions of `project`?
    pub fn enabled_for(&self, project: Option<&str>) -> bool {
        if self.enabled {
            return true;
        }
        let Some(p) = project else {
            return false;
        };
        let p = p.trim_end_matches('/');
        self.projects.iter().any(|want| {
            let want = want.trim_end_matches('/');
            match want.strip_suffix("/*") {
                Some(prefix) => p == prefix || p.starts_with(&format!("{prefix}/")),
                None => p == want,
            }
        })
    }

    pub fn active(&self) -> bool {
        self.enabled || !self.projects.is_empty()
    }
}

/// `[failure]`: analysis of PostToolUseFailure and the advice given to the agent.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct FailureConfig {
    /// Answer failures with advice in `additionalContext` (analysis and
    /// counting happen either way).
    pub advice: bool,
    /// How many times one piece of advice is given per session and
    /// fingerprint (the repeat warning has the same cap).
    pub advice_cap: u32,
    /// The n-th failure with the same fingerprint in a session gets the
    /// "you are repeating a failing action" warning.
    pub repeat_threshold: u32,
    /// Characters of advice per session, all fingerprints together.
    pub session_budget_chars: u32,
    /// Characters of one answer.
    pub max_answer_chars: u32,
    /// Also tell the person (`systemMessage`) when the repeat warning fires.
    pub notify_user_on_repeat: bool,
    /// User rules, first match wins: see `hookwatch rules list`.
    pub rules: Vec<hookwatch_failure::UserRule>,
}

impl Default for FailureConfig {
    fn default() -> Self {
        FailureConfig {
            advice: true,
            advice_cap: 2,
            repeat_threshold: 3,
            session_budget_chars: 6000,
            max_answer_chars: 1500,
            notify_user_on_repeat: false,
            rules: Vec::new(),
        }
    }
}

/// How a deny reaches Claude Code.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum DenyWith {
    /// `hookSpecificOutput.permissionDecision: "deny"` on stdout, exit 0.
    Json,
    /// The reason on stderr, exit 2.
    Exit2,
}

/// `[guard]`: PreToolUse policies.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct GuardSection {
    pub enabled: bool,
    pub deny_with: DenyWith,
    /// Longest wait for `git` when a policy needs the repository state
    /// (git reset --hard, git clean).
    pub git_timeout_ms: u64,
    /// Built-in policy ids to switch off (`hookwatch guard policies`).
    pub disable: Vec<String>,
    /// Policy ids (or "*") that deny when they cannot decide.
    pub fail_closed: Vec<String>,
    pub protected_branches: Vec<String>,
    pub protected_paths: Vec<String>,
    pub rules: Vec<hookwatch_guard::UserRule>,
    /// Set when the `[guard]` section could not be read (the hook then runs
    /// the built-in pack, or denies everything if `fail_closed` has "*").
    #[serde(skip)]
    pub config_error: Option<String>,
}

impl Default for GuardSection {
    fn default() -> Self {
        let g = hookwatch_guard::GuardConfig::default();
        GuardSection {
            enabled: g.enabled,
            deny_with: DenyWith::Json,
            git_timeout_ms: 1500,
            disable: g.disable,
            fail_closed: g.fail_closed,
            protected_branches: g.protected_branches,
            protected_paths: g.protected_paths,
            rules: g.rules,
            config_error: None,
        }
    }
}

impl GuardSection {
    pub fn policy_config(&self) -> hookwatch_guard::GuardConfig {
        hookwatch_guard::GuardConfig {
            enabled: self.enabled,
            disable: self.disable.clone(),
            fail_closed: self.fail_closed.clone(),
            protected_branches: self.protected_branches.clone(),
            protected_paths: self.protected_paths.clone(),
            rules: self.rules.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// Payloads larger than this are stored truncated, with their original
    /// size and a hash.
    pub max_payload_bytes: u64,
    /// fdatasync every spooled event (power-loss durable; costs ~0.4 ms per hook).
    pub fsync: bool,
    /// Events older than this are deleted by the worker (`90d`, `12h`);
    /// unset: everything is kept. Checked when the file is read, so a typo
    /// is reported with its line instead of deleting the wrong things.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "retention_field"
    )]
    pub retention: Option<String>,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            max_payload_bytes: 256 * 1024,
            fsync: false,
            retention: None,
        }
    }
}

impl StoreConfig {
    /// `retention` in microseconds (None: keep everything).
    pub fn retention_us(&self) -> Result<Option<i64>, String> {
        self.retention.as_deref().map(parse_retention).transpose()
    }
}

/// The shortest retention: recovery and alerting look back at the last
/// hour (API failures of the session, inhibition windows, what the session
/// did before a StopFailure), and a slip such as `90s` for `90d` must not
/// empty the store.
const MIN_RETENTION_US: i64 = 3_600_000_000;

pub fn parse_retention(s: &str) -> Result<i64, String> {
    let us = hookwatch_alert::duration::parse(s).map_err(|e| format!("retention: {e}"))?;
    if us < MIN_RETENTION_US {
        return Err(format!(
            "retention = {s:?} is shorter than the minimum of 1h; \
             to keep every event, remove the key"
        ));
    }
    Ok(us)
}

fn retention_field<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = String::deserialize(d)?;
    parse_retention(&s).map_err(serde::de::Error::custom)?;
    Ok(Some(s))
}

/// Where each effective value came from.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Origin {
    pub key: String,
    pub value: String,
    pub source: String,
}

#[derive(Debug)]
pub struct Loaded {
    pub config: Config,
    pub file_exists: bool,
    /// The file as written (for origins).
    table: toml::Table,
}

/// Load config strictly (commands): Err names the file and line.
pub fn load(path: &Path) -> Result<Loaded, String> {
    let (text, file_exists) = read(path)?;
    let config: Config = toml::from_str(&text).map_err(|e| {
        let line = e.span().map(|s| text[..s.start].matches('\n').count() + 1);
        let at = line.map(|l| format!(" line {l}:")).unwrap_or_default();
        format!(
            "{}:{at} {}",
            path.display(),
            e.message().trim().replace('\n', " ")
        )
    })?;
    let table: toml::Table = toml::from_str(&text).unwrap_or_default();
    let mut config = config;
    apply_env(&mut config)?;
    Ok(Loaded {
        config,
        file_exists,
        table,
    })
}

/// Load config for the hook: never fails. A broken section falls back to
/// its defaults alone (a typo in `[failure]` must not drop the user's guard
/// rules), with one note per problem.
pub fn load_lenient(path: &Path) -> (Config, Vec<String>) {
    let mut notes = Vec::new();
    let mut config = Config::default();
    let text = match read(path) {
        Ok((t, _)) => t,
        Err(e) => {
            notes.push(format!("{e}; using defaults"));
            String::new()
        }
    };
    // No config file (the default): nothing to parse, and the TOML parser's
    // code and tables stay out of the hook's pages.
    let parsed = if text.is_empty() {
        Ok(toml::Table::new())
    } else {
        toml::from_str::<toml::Table>(&text)
    };
    match parsed {
        Ok(table) => {
            for (k, v) in table {
                let r = match k.as_str() {
                    "store" => v.try_into().map(|s| config.store = s),
                    "failure" => v.try_into().map(|s| config.failure = s),
                    "alerts" => v.try_into().map(|s| config.alerts = s),
                    "notify" => v.try_into().map(|s| config.notify = s),
                    "recover" => v.try_into().map(|s| config.recover = s),
                    "otel" => v.try_into().map(|s| config.otel = s),
                    "guard" => {
                        let fail_closed = strings(&v, "fail_closed");
                        v.try_into().map(|s| config.guard = s).inspect_err(|e| {
                            config.guard.config_error = Some(e.to_string());
                            config.guard.fail_closed = fail_closed;
                        })
                    }
                    _ => {
                        notes.push(format!("{}: unknown section [{k}] ignored", path.display()));
                        Ok(())
                    }
                };
                if let Err(e) = r {
                    let msg = e.message().trim().replace('\n', " ");
                    notes.push(format!(
                        "{}: [{k}]: {msg}; that section uses its defaults",
                        path.display()
                    ));
                }
            }
        }
        Err(e) => {
            let msg = e.message().trim().replace('\n', " ");
            notes.push(format!(
                "{}: not valid TOML ({msg}); using defaults",
                path.display()
            ));
            // Nothing can be read from the file, but a user who asked the
            // guard to fail closed must not get an open one because of a typo.
            if text
                .lines()
                .any(|l| l.trim_start().starts_with("fail_closed") && l.contains("\"*\""))
            {
                config.guard.config_error = Some("config file is not valid TOML".into());
                config.guard.fail_closed = vec!["*".into()];
            }
        }
    }
    if let Err(e) = apply_env(&mut config) {
        notes.push(e);
    }
    (config, notes)
}

fn strings(v: &toml::Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(|a| a.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn read(path: &Path) -> Result<(String, bool), String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok((text, true)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((String::new(), false)),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

fn apply_env(config: &mut Config) -> Result<(), String> {
    if let Some(v) = env("HOOKWATCH_MAX_PAYLOAD_BYTES") {
        config.store.max_payload_bytes = v
            .parse()
            .map_err(|_| format!("HOOKWATCH_MAX_PAYLOAD_BYTES={v:?} is not a number of bytes"))?;
    }
    if let Some(v) = env("HOOKWATCH_FSYNC") {
        config.store.fsync = matches!(v.as_str(), "1" | "true" | "yes" | "on");
    }
    // A cap below a few KB would truncate ordinary events to nothing useful.
    config.store.max_payload_bytes = config.store.max_payload_bytes.max(4096);
    // Past 10,000 characters Claude Code saves context to a file instead.
    config.failure.max_answer_chars = config.failure.max_answer_chars.min(9000);
    Ok(())
}

impl Loaded {
    /// Where each effective value came from (`hookwatch config`).
    pub fn origins(&self, path: &Path) -> Vec<Origin> {
        let file = path.display().to_string();
        let source = |section: &str, k: &str| {
            if self.table.get(section).and_then(|s| s.get(k)).is_some() {
                file.clone()
            } else {
                "default".to_string()
            }
        };
        let mut origins = Vec::new();
        for (k, var) in [
            ("max_payload_bytes", "HOOKWATCH_MAX_PAYLOAD_BYTES"),
            ("fsync", "HOOKWATCH_FSYNC"),
        ] {
            let value = if k == "fsync" {
                self.config.store.fsync.to_string()
            } else {
                self.config.store.max_payload_bytes.to_string()
            };
            origins.push(Origin {
                key: format!("store.{k}"),
                value,
                source: if env(var).is_some() {
                    format!("env {var}")
                } else {
                    source("store", k)
                },
            });
        }
        origins.push(Origin {
            key: "store.retention".into(),
            value: self
                .config
                .store
                .retention
                .clone()
                .unwrap_or_else(|| "unset (every event is kept)".into()),
            source: source("store", "retention"),
        });
        let effective = toml::Table::try_from(&self.config).unwrap_or_default();
        for section in ["failure", "guard", "alerts", "notify", "recover", "otel"] {
            let Some(table) = effective.get(section).and_then(|t| t.as_table()) else {
                continue;
            };
            for (k, v) in table {
                let value = match v {
                    toml::Value::Array(a) if k == "rules" => format!("{} rule(s)", a.len()),
                    toml::Value::Array(a) if k == "inhibit" => format!("{} rule(s)", a.len()),
                    toml::Value::Table(t) if k == "targets" => {
                        let names: Vec<&String> = t.keys().collect();
                        format!("{} target(s) {names:?}", t.len())
                    }
                    // A URL may hold credentials.
                    toml::Value::String(u) if section == "otel" && k.ends_with("endpoint") => {
                        hookwatch_sink::redact_url(u)
                    }
                    // Header values may be tokens: names only.
                    toml::Value::Table(t) if k == "headers" => {
                        let names: Vec<&String> = t.keys().collect();
                        format!("{} header(s) {names:?}", t.len())
                    }
                    toml::Value::Table(t) if k == "route" => format!(
                        "{} child route(s)",
                        t.get("routes")
                            .and_then(|r| r.as_array())
                            .map_or(0, |r| r.len())
                    ),
                    v => v.to_string(),
                };
                origins.push(Origin {
                    key: format!("{section}.{k}"),
                    value,
                    source: source(section, k),
                });
            }
        }
        origins
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_file_parses_to_the_defaults() {
        let c: Config = toml::from_str(DEFAULT_CONFIG).unwrap();
        assert_eq!(c, Config::default());
    }

    #[test]
    fn unknown_keys_are_an_error_with_a_line() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("c.toml");
        std::fs::write(&p, "[store]\nmax_payload = 3\n").unwrap();
        let e = load(&p).unwrap_err();
        assert!(e.contains("line 2"), "{e}");
        assert!(e.contains("c.toml"), "{e}");
    }

    #[test]
    fn file_values_and_their_origin() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("c.toml");
        std::fs::write(&p, "[store]\nmax_payload_bytes = 100000\n").unwrap();
        let l = load(&p).unwrap();
        assert_eq!(l.config.store.max_payload_bytes, 100000);
        let o = l.origins(&p);
        assert_eq!(o[0].source, p.display().to_string());
        assert_eq!(o[1].source, "default");
    }

    #[test]
    fn retention_is_checked_with_its_line_and_shown_with_its_origin() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("c.toml");
        std::fs::write(&p, "[store]\nretention = \"90d\"\n").unwrap();
        let l = load(&p).unwrap();
        assert_eq!(l.config.store.retention_us(), Ok(Some(90 * 86_400_000_000)));
        let o = l.origins(&p);
        let r = o.iter().find(|o| o.key == "store.retention").unwrap();
        assert_eq!(
            (r.value.as_str(), r.source.clone()),
            ("90d", p.display().to_string())
        );
        for (bad, says) in [
            ("\"90 days\"", "invalid duration"),
            ("\"30m\"", "minimum of 1h"),
            ("\"0\"", "remove the key"),
            ("90", "expected a string"),
        ] {
            std::fs::write(&p, format!("[store]\nfsync = true\nretention = {bad}\n")).unwrap();
            let e = load(&p).unwrap_err();
            assert!(e.contains("line 3") && e.contains(says), "{bad}: {e}");
        }
        // Unset by default: nothing is deleted.
        std::fs::write(&p, "").unwrap();
        let l = load(&p).unwrap();
        assert_eq!(l.config.store.retention_us(), Ok(None));
        let o = l.origins(&p);
        let r = o.iter().find(|o| o.key == "store.retention").unwrap();
        assert!(
            r.value.starts_with("unset") && r.source == "default",
            "{r:?}"
        );
    }

    #[test]
    fn the_hook_keeps_good_sections_when_one_is_broken() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("c.toml");
        std::fs::write(
            &p,
            "[failure]\nadvice_cap = \"two\"\n[guard]\nprotected_paths = [\"data\"]\n",
        )
        .unwrap();
        let (c, notes) = load_lenient(&p);
        assert_eq!(c.guard.protected_paths, ["data"]);
        assert_eq!(c.failure.advice_cap, 2);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].contains("[failure]"), "{notes:?}");
        // A broken [guard] keeps its fail_closed list for the hook to honour.
        std::fs::write(&p, "[guard]\nfail_closed = [\"*\"]\nbogus = 1\n").unwrap();
        let (c, _) = load_lenient(&p);
        assert!(c.guard.config_error.is_some());
        assert_eq!(c.guard.fail_closed, ["*"]);
        // Not TOML at all: still fail closed when the user asked for it.
        std::fs::write(&p, "[guard\nfail_closed = [\"*\"]\n").unwrap();
        let (c, notes) = load_lenient(&p);
        assert_eq!(c.guard.fail_closed, ["*"]);
        assert!(notes[0].contains("not valid TOML"), "{notes:?}");
    }
}
