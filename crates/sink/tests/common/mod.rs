//! Shared by the sink's integration tests: a sample notification and
//! resolving targets from TOML, as the worker does.
#![allow(dead_code)]

use hookwatch_sink::{
    resolve, AlertItem, Attention, Notification, Priority, Resolved, SendOptions, Severity, Status,
    TargetConfig,
};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// A fake GitHub token shaped like a real one: the scrubber must remove it
/// from everything that leaves.
pub const LEAKED: &str = "ghp_o2x0wuuMiBUjNg5hLlb43Ju38RdIu2i2mjEw";

/// A fake AWS access key id, shaped like a real one.
pub const AWS_KEY: &str = "AKIAZ4QX7PLM2RTY5WNB";

pub const NOW: i64 = 1_800_000_000;

/// The attention kinds the worker sends.
pub const KINDS: [&str; 4] = ["done", "needs_you", "idle", "failed"];

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

/// An attention notification as the worker builds it: one per kind, each
/// with its own priority so that tests can tell them apart.
pub fn attention(kind: &str) -> Notification {
    let (title, priority, message) = match kind {
        "done" => (
            "Claude is done in myproj (fix-login-bug)",
            Priority::Default,
            "Fixed the login bug: the session cookie was not renewed.\n\nAll 112 tests pass.",
        ),
        "needs_you" => (
            "Claude needs your permission in myproj",
            Priority::High,
            "Bash wants to run: rm -rf target/ && cargo build",
        ),
        "idle" => (
            "Claude is waiting for your input in myproj",
            Priority::Low,
            "Claude is waiting for your input",
        ),
        _ => (
            "Claude stopped on an error in myproj",
            Priority::Urgent,
            "API Error: 429 rate limited; try again in a minute",
        ),
    };
    let mut n = Notification {
        id: 8,
        key: format!("att-{kind}-8"),
        group_key: format!("attention={kind},project=myproj"),
        title: title.into(),
        severity: Severity::Info,
        created_us: 1_799_999_999_000_000,
        route: "notify".into(),
        project: Some("myproj".into()),
        session: Some("5f1c2d3e-aaaa-bbbb-cccc-0123456789ab".into()),
        attention: Some(Attention {
            kind: kind.into(),
            cause: if kind == "needs_you" {
                "permission_prompt".into()
            } else {
                "Stop".into()
            },
            session_name: Some("fix-login-bug".into()),
            branch: Some("main".into()),
            message: Some(message.into()),
            turn_ms: Some(750_000),
            tool_calls: Some(14),
            files_written: Some(3),
            failures: Some(1),
            priority,
            sound: None,
        }),
        ..Default::default()
    };
    if kind == "failed" {
        n.severity = Severity::Error;
        n.alerts = vec![AlertItem {
            event_id: 42,
            time_us: 1_799_999_990_000_000,
            event: "StopFailure".into(),
            error: Some("API Error: 429 rate limited".into()),
            error_type: Some("rate_limit".into()),
            severity: Severity::Error,
            count: 1,
            ..Default::default()
        }];
    }
    n
}

/// The worst text a message can hold: ~100 kB of multibyte characters,
/// markup of every target, control bytes, and secrets at the start (where
/// every excerpt keeps them, so only the scrubber can take them out).
pub fn hostile_message() -> String {
    let mut m = format!(
        "token {LEAKED} key {AWS_KEY}\n<script>alert(1)</script> & &amp; <!channel> @everyone \
         <@123> **bold** _it_ `code` ``` [link](http://x) # head > quote \u{0}\u{7}\u{1b}[31m\u{202E}\n"
    );
    while m.len() < 100_000 {
        m.push_str("é😀ü<&> 漢字 ");
    }
    m
}

/// `attention(kind)` with the hostile message and secrets in the session
/// name and branch too.
pub fn hostile_attention(kind: &str) -> Notification {
    let mut n = attention(kind);
    let a = n.attention.as_mut().unwrap();
    a.message = Some(hostile_message());
    a.session_name = Some(format!("leak {LEAKED}"));
    a.branch = Some(format!("feat/{AWS_KEY}"));
    n
}

/// No secret of the hostile notification in these bytes.
pub fn assert_no_secret(bytes: &[u8], what: &str) {
    let text = String::from_utf8_lossy(bytes);
    assert!(!text.contains(LEAKED), "{what}: GitHub token leaked");
    assert!(!text.contains(AWS_KEY), "{what}: AWS key leaked");
    assert!(
        !text.contains("o2x0wuuMiBUjNg5hLlb43Ju38RdIu2i2mjEw"),
        "{what}: token body leaked"
    );
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

/// A Telegram bot token shaped like @BotFather's: the scrubber knows the
/// shape, and no message may show it.
pub const BOT_TOKEN: &str = "7012345678:AAFq3vX9kLmN2pQrS4tUvW5xYz6AbCdEfGh";

/// Telegram HTML as the sink writes it: only its own tags, and every `&`
/// starting a whole entity (no cut left half of one).
pub fn assert_telegram_html(t: &str) {
    const TAGS: [&str; 9] = [
        "<b>",
        "</b>",
        "<code>",
        "</code>",
        "<pre>",
        "</pre>",
        "<blockquote>",
        "<blockquote expandable>",
        "</blockquote>",
    ];
    let mut rest = t;
    let mut open: Vec<&str> = Vec::new();
    while let Some(i) = rest.find('<') {
        let tag = TAGS
            .iter()
            .find(|tag| rest[i..].starts_with(**tag))
            .unwrap_or_else(|| panic!("stray <: {:?}", &rest[i..rest.len().min(i + 40)]));
        match tag.strip_prefix("</") {
            Some(name) => {
                let top = open.pop().expect("closing tag without opening");
                let opened = top[1..].split([' ', '>']).next().unwrap();
                assert_eq!(opened, name.trim_end_matches('>'), "misnested tags");
            }
            None => open.push(tag),
        }
        rest = &rest[i + tag.len()..];
    }
    assert!(open.is_empty(), "unclosed {open:?}");
    for (i, _) in t.match_indices('&') {
        let e = &t[i..];
        assert!(
            ["&amp;", "&lt;", "&gt;"].iter().any(|x| e.starts_with(x)),
            "cut entity {:?}",
            &e[..e.len().min(8)]
        );
    }
    assert!(
        t.encode_utf16().count() <= 4096,
        "{}",
        t.encode_utf16().count()
    );
}

/// A Telegram target sending to `api_url` (a loopback receiver).
pub fn telegram(dir: &Path, api_url: &str, extra: &str) -> Resolved {
    let token = secret_file(dir, "bot-token", &format!("{BOT_TOKEN}\n"));
    resolved(
        "tg",
        &format!(
            "type = \"telegram\"\nbot_token_file = {}\nchat_id = -1001234567890\napi_url = {}\n{extra}",
            q(&token),
            q(api_url)
        ),
    )
}
