//! Config parsing and secret loading: what people write in config.toml and
//! what they are told when it is wrong. No error, warning or Debug output
//! may contain a secret.
//!
//! Env vars: each test sets its own, distinctively named ones (std
//! serialises Rust-side env access; nothing here calls C getenv).

mod common;

use common::*;
use hookwatch_sink::{permission_warning, render, resolve, send, Delivery, Rendered, TargetConfig};
use hookwatch_testkit::receiver::{Plan, Receiver};
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

const SECRET_MARK: &str = "Zq9SUPERSECRETxx7";

fn err(cfg: &str) -> String {
    match resolve("t", &config(cfg)) {
        Ok(r) => panic!("expected an error, got {r:?}"),
        Err(e) => {
            assert!(!e.contains(SECRET_MARK), "{e}");
            assert!(e.contains("\"t\""), "names the target: {e}");
            e
        }
    }
}

#[test]
fn full_config_parses() {
    #[derive(serde::Deserialize)]
    struct Alerts {
        targets: std::collections::BTreeMap<String, TargetConfig>,
    }
    #[derive(serde::Deserialize)]
    struct File {
        alerts: Alerts,
    }
    let f: File = toml::from_str(
        r#"
[alerts.targets.team-slack]
type = "slack"
url_env = "HOOKWATCH_SLACK_URL"
rate_limit = "20/1h"
send_resolved = false

[alerts.targets.hook]
type = "webhook"
url = "https://example.test/hooks"
secret_env = "HOOKWATCH_WEBHOOK_SECRET"
headers = { X-Team = "infra" }
timeout = "10s"
max_attempts = 12
max_age = "24h"

[alerts.targets.dc]
type = "discord"
url_file = "~/.config/hookwatch/discord-url"

[alerts.targets.pd]
type = "pagerduty"
routing_key_env = "PD_KEY"
send_resolved = true

[alerts.targets.sentry]
type = "sentry"
dsn_env = "SENTRY_DSN"
environment = "laptop"

[alerts.targets.phone]
type = "ntfy"
topic_env = "NTFY_TOPIC"
token_file = "/etc/hookwatch/ntfy-token"
priority = 4

[alerts.targets.desk]
type = "desktop"
enabled = false

[alerts.targets.pager]
type = "command"
argv = ["/usr/local/bin/page-me", "--quiet"]
"#,
    )
    .unwrap();
    let t = &f.alerts.targets;
    assert_eq!(t.len(), 8);
    assert_eq!(t["team-slack"].kind(), "slack");
    assert_eq!(
        t["team-slack"].common().rate_limit.as_deref(),
        Some("20/1h")
    );
    assert_eq!(t["team-slack"].common().send_resolved, Some(false));
    assert!(t["team-slack"].common().enabled);
    let hook = t["hook"].common();
    assert_eq!(hook.timeout.as_deref(), Some("10s"));
    assert_eq!(hook.max_attempts, Some(12));
    assert_eq!(hook.max_age.as_deref(), Some("24h"));
    assert!(!t["desk"].common().enabled);
    assert_eq!(t["pager"].kind(), "command");
    assert_eq!(t["phone"].kind(), "ntfy");
    // Round trip through serde.
    let again: TargetConfig = toml::from_str(&toml::to_string(&t["hook"]).unwrap()).unwrap();
    assert_eq!(again, t["hook"]);
}

#[test]
fn unknown_fields_and_types_are_rejected() {
    let e =
        toml::from_str::<TargetConfig>("type = \"slack\"\nurl_env = \"X\"\nchanel = \"#ops\"\n")
            .unwrap_err()
            .to_string();
    assert!(e.contains("chanel"), "{e}");
    let e = toml::from_str::<TargetConfig>("type = \"teams\"\nurl_env = \"X\"\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("teams"), "{e}");
    // A field of another target type is unknown here too.
    assert!(toml::from_str::<TargetConfig>(
        "type = \"slack\"\nurl_env = \"X\"\nsecret_env = \"Y\"\n"
    )
    .is_err());
}

#[test]
fn literal_credential_urls_are_rejected() {
    for kind in ["slack", "discord"] {
        let e = err(&format!(
            "type = \"{kind}\"\nurl = \"https://hooks.example.test/services/T/B/{SECRET_MARK}\"\n"
        ));
        assert!(e.contains("url_env") && e.contains("url_file"), "{e}");
    }
}

#[test]
fn missing_env_var_is_named() {
    let e = err("type = \"slack\"\nurl_env = \"HW_TEST_NEVER_SET_SLACK_URL\"\n");
    assert!(
        e.contains("HW_TEST_NEVER_SET_SLACK_URL") && e.contains("not set"),
        "{e}"
    );
    let e = err("type = \"pagerduty\"\nrouting_key_env = \"HW_TEST_NEVER_SET_PD\"\n");
    assert!(e.contains("HW_TEST_NEVER_SET_PD"), "{e}");
    std::env::set_var("HW_TEST_EMPTY_DSN", "\n");
    let e = err("type = \"sentry\"\ndsn_env = \"HW_TEST_EMPTY_DSN\"\n");
    assert!(
        e.contains("HW_TEST_EMPTY_DSN") && e.contains("empty"),
        "{e}"
    );
    let e = err("type = \"slack\"\n");
    assert!(e.contains("url_env") && e.contains("url_file"), "{e}");
    let e = err("type = \"slack\"\nurl_env = \"A\"\nurl_file = \"/b\"\n");
    assert!(e.contains("only one"), "{e}");
}

#[test]
fn missing_file_is_named() {
    let e = err("type = \"discord\"\nurl_file = \"/nonexistent/hw-discord-url\"\n");
    assert!(e.contains("/nonexistent/hw-discord-url"), "{e}");
}

#[test]
fn loose_secret_files_warn() {
    let dir = tempfile::tempdir().unwrap();
    let f = secret_file(dir.path(), "url", "http://127.0.0.1:9/x\n");
    let r = resolved("ok", &format!("type = \"slack\"\nurl_file = {}\n", q(&f)));
    assert!(r.warnings.is_empty());
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
    let r = resolved(
        "loose",
        &format!("type = \"slack\"\nurl_file = {}\n", q(&f)),
    );
    assert_eq!(r.warnings.len(), 1);
    assert!(
        r.warnings[0].contains(&format!("chmod 600 {f}")),
        "{:?}",
        r.warnings
    );
    assert!(r.warnings[0].contains("\"loose\""));
    assert!(permission_warning(std::path::Path::new(&f))
        .unwrap()
        .contains("mode 644"));
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(permission_warning(std::path::Path::new(&f)), None);
}

#[test]
fn secrets_never_show() {
    let rx = Receiver::start(Plan::always(404, "no_service"));
    let url = format!("{}/services/T0/B0/{SECRET_MARK}", rx.url());
    std::env::set_var("HW_TEST_SECRET_SLACK_URL", &url);
    std::env::set_var("HW_TEST_SECRET_PD_KEY", format!("R{SECRET_MARK}"));
    std::env::set_var(
        "HW_TEST_SECRET_DSN",
        format!("http://{SECRET_MARK}:old@127.0.0.1:{}/3", rx.port()),
    );
    std::env::set_var("HW_TEST_SECRET_WHSEC", "whsec_Zq9SUPERSECRETxx7AAA");
    std::env::set_var("HW_TEST_SECRET_NTFY_TOKEN", format!("tk_{SECRET_MARK}"));
    for cfg in [
        "type = \"slack\"\nurl_env = \"HW_TEST_SECRET_SLACK_URL\"\n".to_string(),
        "type = \"discord\"\nurl_env = \"HW_TEST_SECRET_SLACK_URL\"\n".to_string(),
        "type = \"webhook\"\nurl_env = \"HW_TEST_SECRET_SLACK_URL\"\nsecret_env = \"HW_TEST_SECRET_WHSEC\"\n".to_string(),
        format!("type = \"pagerduty\"\nrouting_key_env = \"HW_TEST_SECRET_PD_KEY\"\nurl = {}\n", q(&rx.url())),
        "type = \"sentry\"\ndsn_env = \"HW_TEST_SECRET_DSN\"\n".to_string(),
        format!("type = \"ntfy\"\nserver = {}\ntopic = \"t\"\ntoken_env = \"HW_TEST_SECRET_NTFY_TOKEN\"\n", q(&rx.url())),
    ] {
        let c = config(&cfg);
        assert!(!format!("{c:?}").contains(SECRET_MARK));
        let r = resolve("s", &c).unwrap_or_else(|e| panic!("{e}"));
        let dbg = format!("{r:?}");
        assert!(!dbg.contains(SECRET_MARK), "{dbg}");
        let rendered = render(&r, &notification(), NOW).unwrap();
        assert!(!format!("{rendered:?}").contains(SECRET_MARK));
        let d = send(&r, &notification(), &opts(Duration::from_secs(5)));
        assert!(matches!(d, Delivery::Permanent { status: Some(404), .. }), "{d:?}");
        assert!(!format!("{d:?}").contains(SECRET_MARK), "{d:?}");
    }
    // Sent where they belong, though.
    let reqs = rx.requests();
    assert!(reqs[0].path.ends_with(SECRET_MARK));
    assert!(reqs[3].body_str().contains(&format!("R{SECRET_MARK}")));
    assert_eq!(
        reqs[5].header("authorization").unwrap(),
        format!("Bearer tk_{SECRET_MARK}")
    );
    // A literal webhook URL in config shows redacted in Debug.
    let c = config(&format!("type = \"webhook\"\nurl = {}\n", q(&url)));
    assert!(!format!("{c:?}").contains(SECRET_MARK));
    // Broken secrets: the message says what is wrong, not what it is.
    std::env::set_var("HW_TEST_BAD_WHSEC", format!("whsec_!!{SECRET_MARK}"));
    let e = err(&format!(
        "type = \"webhook\"\nurl = {}\nsecret_env = \"HW_TEST_BAD_WHSEC\"\n",
        q(&url)
    ));
    assert!(
        e.contains("base64") && e.contains("HW_TEST_BAD_WHSEC"),
        "{e}"
    );
    std::env::set_var(
        "HW_TEST_BAD_DSN",
        format!("https://{SECRET_MARK}.example.test"),
    );
    let e = err("type = \"sentry\"\ndsn_env = \"HW_TEST_BAD_DSN\"\n");
    assert!(
        e.contains("HW_TEST_BAD_DSN") && e.contains("PROJECT_ID"),
        "{e}"
    );
    std::env::set_var(
        "HW_TEST_BAD_URL",
        format!("hooks.slack.com/services/{SECRET_MARK}"),
    );
    let e = err("type = \"slack\"\nurl_env = \"HW_TEST_BAD_URL\"\n");
    assert!(e.contains("https://"), "{e}");
}

#[test]
fn other_checks() {
    let e = err("type = \"ntfy\"\ntopic = \"my topic/../x\"\n");
    assert!(e.contains("topic"), "{e}");
    let e = err("type = \"ntfy\"\ntopic = \"t\"\npriority = 9\n");
    assert!(e.contains("priority"), "{e}");
    let e = err("type = \"command\"\nargv = []\n");
    assert!(e.contains("argv"), "{e}");
    let e = err(
        "type = \"webhook\"\nurl = \"http://127.0.0.1:9/\"\nheaders = { webhook-id = \"x\" }\n",
    );
    assert!(e.contains("webhook-id"), "{e}");
    let e = err("type = \"webhook\"\nurl = \"http://127.0.0.1:9/\"\nheaders = { X-A = \"a\\r\\nInjected: 1\" }\n");
    assert!(e.contains("X-A"), "{e}");
    let e = err("type = \"pagerduty\"\nrouting_key_file = \"/dev/null\"\n");
    assert!(e.contains("/dev/null") && e.contains("empty"), "{e}");
}

#[test]
fn defaults() {
    let dir = tempfile::tempdir().unwrap();
    let key = secret_file(dir.path(), "k", "key\n");
    let r = resolved(
        "pd",
        &format!("type = \"pagerduty\"\nrouting_key_file = {}\n", q(&key)),
    );
    let Rendered::Http { url, body, .. } = render(&r, &notification(), NOW).unwrap() else {
        panic!()
    };
    assert_eq!(url, "https://events.pagerduty.com/v2/enqueue");
    assert!(
        String::from_utf8(body)
            .unwrap()
            .contains("\"routing_key\":\"key\""),
        "trailing newline trimmed"
    );
    let r = resolved("n", "type = \"ntfy\"\ntopic = \"alerts\"\n");
    let Rendered::Http { url, .. } = render(&r, &notification(), NOW).unwrap() else {
        panic!()
    };
    assert_eq!(url, "https://ntfy.sh/alerts");
}
