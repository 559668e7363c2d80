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
    pub key: &'static str,
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
        key: "store.max_payload_bytes",
        value: config.store.max_payload_bytes.to_string(),
        source: max_src,
    });
    origins.push(Origin {
        key: "store.fsync",
        value: config.store.fsync.to_string(),
        source: fsync_src,
    });
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
