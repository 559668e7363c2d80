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
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            max_payload_bytes: 256 * 1024,
            fsync: false,
        }
    }
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
    pub origins: Vec<Origin>,
    pub file_exists: bool,
}

/// Load config. Err carries a message naming the file and line.
pub fn load(path: &Path) -> Result<Loaded, String> {
    let mut origins = Vec::new();
    let (mut config, file_exists, file_table) = match std::fs::read_to_string(path) {
        Ok(text) => {
            // One line, with the line number: the hook path prints exactly
            // one line on stderr.
            let cfg: Config = toml::from_str(&text).map_err(|e| {
                let line = e.span().map(|s| text[..s.start].matches('\n').count() + 1);
                let at = line.map(|l| format!(" line {l}:")).unwrap_or_default();
                format!(
                    "{}:{at} {}",
                    path.display(),
                    e.message().trim().replace('\n', " ")
                )
            })?;
            let table: toml::Table = toml::from_str(&text).unwrap_or_default();
            (cfg, true, table)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            (Config::default(), false, toml::Table::new())
        }
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let in_file = |k: &str| file_table.get("store").and_then(|s| s.get(k)).is_some();
    let src = |k: &str| {
        if in_file(k) {
            path.display().to_string()
        } else {
            "default".to_string()
        }
    };
    let mut max_src = src("max_payload_bytes");
    if let Some(v) = env("HOOKWATCH_MAX_PAYLOAD_BYTES") {
        config.store.max_payload_bytes = v
            .parse()
            .map_err(|_| format!("HOOKWATCH_MAX_PAYLOAD_BYTES={v:?} is not a number of bytes"))?;
        max_src = "env HOOKWATCH_MAX_PAYLOAD_BYTES".into();
    }
    let mut fsync_src = src("fsync");
    if let Some(v) = env("HOOKWATCH_FSYNC") {
        config.store.fsync = matches!(v.as_str(), "1" | "true" | "yes" | "on");
        fsync_src = "env HOOKWATCH_FSYNC".into();
    }
    // A cap below a few KB would truncate ordinary events to nothing useful.
    config.store.max_payload_bytes = config.store.max_payload_bytes.max(4096);
    origins.push(Origin {
        key: "store.max_payload_bytes".into(),
        value: config.store.max_payload_bytes.to_string(),
        source: max_src,
    });
    origins.push(Origin {
        key: "store.fsync".into(),
        value: config.store.fsync.to_string(),
        source: fsync_src,
    });
    // The other sections have no environment overrides: file or default.
    let effective = toml::Table::try_from(&config).unwrap_or_default();
    for (section, key) in [("failure", "failure."), ("guard", "guard.")] {
        let Some(table) = effective.get(section).and_then(|t| t.as_table()) else {
            continue;
        };
        for (k, v) in table {
            let from_file = file_table.get(section).and_then(|s| s.get(k)).is_some();
            let value = match v {
                toml::Value::Array(a) if k == "rules" => format!("{} rule(s)", a.len()),
                v => v.to_string(),
            };
            origins.push(Origin {
                key: format!("{key}{k}"),
                value,
                source: if from_file {
                    path.display().to_string()
                } else {
                    "default".to_string()
                },
            });
        }
    }
    Ok(Loaded {
        config,
        origins,
        file_exists,
    })
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
        assert_eq!(l.origins[0].source, p.display().to_string());
        assert_eq!(l.origins[1].source, "default");
    }
}
