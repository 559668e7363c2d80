//! Shared by the sink's integration tests: a sample notification and
//! resolving targets from TOML, as the worker does.
#![allow(dead_code)]

use hookwatch_sink::{
    resolve, AlertItem, Notification, Resolved, SendOptions, Severity, Status, TargetConfig,
};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// A fake GitHub token shaped like a real one: the scrubber must remove it
/// from everything that leaves.
pub const LEAKED: &str = "ghp_o2x0wuuMiBUjNg5hLlb43Ju38RdIu2i2mjEw";

pub const NOW: i64 = 1_800_000_000;

pub fn alert(event_id: i64, error: &str) -> AlertItem {
    AlertItem {
        event_id,
        time_us: 1_799_999_990_000_000 + event_id,
        event: "PostToolUseFailure".into(),
        tool: Some("Bash".into()),
        mcp_server: None,
        command: Some("cargo build --release".into()),
        error: Some(error.into()),
        error_type: None,
        class: Some("missing_dependency".into()),
        severity: Severity::Error,
        fingerprint: Some("fp-cargo-missing-dep".into()),
        count: 3,
        labels: BTreeMap::new(),
    }
}

pub fn notification() -> Notification {
    Notification {
        id: 7,
        key: "n7-3f2a9c".into(),
        group_key: "tool=Bash,class=missing_dependency,project=myproj".into(),
        status: Status::Firing,
        title: "Bash failed 3× in myproj: cargo build (missing_dependency)".into(),
        severity: Severity::Error,
        created_us: 1_799_999_999_000_000,
        route: "default".into(),
        project: Some("myproj".into()),
        session: Some("5f1c2d3e-aaaa-bbbb-cccc-0123456789ab".into()),
        labels: BTreeMap::from([("project".to_string(), "myproj".to_string())]),
        alerts: vec![alert(
            42,
            &format!("error[E0432]: unresolved import `serde_yaml`\n  token {LEAKED} in env"),
        )],
        omitted: 0,
        test: false,
        attention: None,
    }
}

pub fn config(toml_text: &str) -> TargetConfig {
    toml::from_str(toml_text).unwrap_or_else(|e| panic!("{e}\n{toml_text}"))
}

pub fn resolved(name: &str, toml_text: &str) -> Resolved {
    resolve(name, &config(toml_text)).unwrap_or_else(|e| panic!("{e}"))
}

pub fn opts(timeout: Duration) -> SendOptions {
    SendOptions {
        timeout,
        attempt: 1,
        now_unix_s: NOW,
    }
}

/// A secret file as people should write it: mode 600.
pub fn secret_file(dir: &Path, name: &str, content: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    p.display().to_string()
}

/// A TOML string literal.
pub fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}
