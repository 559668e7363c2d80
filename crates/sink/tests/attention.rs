//! Attention notifications (done, needs you, idle, failed) in every
//! target's format, on the wire: real loopback receivers for the HTTP
//! targets, a recording fake notify-send for the desktop. Length limits with
//! a huge multibyte message, escaping, per-kind priority, tags and sounds,
//! and no secret in any byte sent. Telegram's Bot API format and answers.

mod common;

use common::*;
use hookwatch_sink::{
    find_on_path, render, send, Attention, Delivery, Notification, Priority, Rendered,
};
use hookwatch_testkit::receiver::{Plan, Received, Receiver, Reply};
use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

const KINDS: [(&str, Priority); 4] = [
    ("done", Priority::Default),
    ("needs_you", Priority::High),
    ("idle", Priority::Low),
    ("failed", Priority::High),
];

/// An attention notification of `kind` whose texts hold a secret, markup
/// and `&`, and a message of `message_len` characters (multibyte).
fn attention(kind: &str, priority: Priority, message_len: usize) -> Notification {
    let mut n = notification();
    n.title = format!("Claude is done in myproj <b>&</b> {LEAKED}");
    if kind != "failed" {
        n.alerts.clear();
    }
    let head = format!("Fixed *the* <script>alert(1)</script> & {LEAKED} é😀 ");
    let mut message = head.clone();
    while message.chars().count() < message_len {
        message.push_str("ünïcödé text ");
    }
    n.attention = Some(Attention {
        kind: kind.into(),
        cause: "Stop".into(),
        session_name: Some(format!("fix-login-{LEAKED}")),
        branch: Some("main".into()),
        message: Some(message),
        turn_ms: Some(754_000),
        tool_calls: Some(14),
        files_written: Some(3),
        failures: Some(1),
        priority,
        sound: None,
    });
    n
}

fn one(rx: &Receiver) -> Received {
    assert!(rx.wait_for(1, Duration::from_secs(5)));
    rx.requests().pop().unwrap()
}

fn no_secret(r: &Received) {
    assert!(
        !String::from_utf8_lossy(&r.body).contains(LEAKED),
        "a secret left the machine"
    );
    for (_, v) in &r.headers {
        assert!(!v.contains(LEAKED));
    }
}

#[test]
fn ntfy_priority_and_tag_per_kind_within_4096_bytes() {
    for (kind, prio) in KINDS {
        let rx = Receiver::start(Plan::always(200, "{}"));
        let t = resolved(
            "phone",
            &format!(
                "type = \"ntfy\"\nserver = {}\ntopic = \"hw-test\"",
                q(&rx.url())
            ),
        );
        let d = send(
            &t,
            &attention(kind, prio, 100_000),
            &opts(Duration::from_secs(5)),
        );
        assert!(matches!(d, Delivery::Delivered { .. }), "{d:?}");
        let r = one(&rx);
        no_secret(&r);
        let want = match kind {
            "done" => ("3", "white_check_mark"),
            "needs_you" => ("4", "raising_hand"),
            "idle" => ("2", "hourglass"),
            _ => ("4", "x"),
        };
        assert_eq!(r.header("priority"), Some(want.0), "{kind}");
        assert_eq!(
            r.header("tags"),
            Some(format!("{},hookwatch", want.1).as_str())
        );
        assert!(r.body.len() <= 4096, "{}", r.body.len());
        let body = r.body_str();
        assert!(body.starts_with("Fixed *the* <script>"), "{body}");
        assert!(
            body.contains("12m 34s · 14 tool calls · 3 files written · 1 failure"),
            "{body}"
        );
        assert!(
            body.trim_end()
                .ends_with("myproj · main · fix-login-[REDACTED:github-token]"),
            "{body}"
        );
    }
}

#[test]
fn slack_escapes_and_keeps_limits() {
    for (kind, prio) in KINDS {
        let rx = Receiver::start(Plan::always(200, "ok"));
        let t = {
            std::env::set_var("HW_ATT_SLACK", format!("{}/services/T/B/x", rx.url()));
            resolved("team", "type = \"slack\"\nurl_env = \"HW_ATT_SLACK\"")
        };
        let d = send(
            &t,
            &attention(kind, prio, 100_000),
            &opts(Duration::from_secs(5)),
        );
        assert!(matches!(d, Delivery::Delivered { .. }), "{d:?}");
        let r = one(&rx);
        no_secret(&r);
        let v = r.json();
        let blocks = v["blocks"].as_array().unwrap();
        assert_eq!(blocks[0]["type"], "header");
        assert!(blocks[0]["text"]["text"].as_str().unwrap().chars().count() <= 150);
        let section = blocks[1]["text"]["text"].as_str().unwrap();
        assert!(section.chars().count() <= 3000);
        assert!(section.contains("&lt;script&gt;") && !section.contains("<script>"));
        assert!(section.contains("&amp;"));
        let context = blocks[2]["elements"][0]["text"].as_str().unwrap();
        assert!(context.contains("14 tool calls"), "{context}");
        assert!(v["text"].as_str().unwrap().contains("&lt;b&gt;"));
    }
}

#[test]
fn discord_colour_per_kind_within_embed_limits() {
    let mut colours = Vec::new();
    for (kind, prio) in KINDS {
        let rx = Receiver::start(Plan::always(200, "{}"));
        std::env::set_var("HW_ATT_DISCORD", format!("{}/api/webhooks/1/t", rx.url()));
        let t = resolved("d", "type = \"discord\"\nurl_env = \"HW_ATT_DISCORD\"");
        let d = send(
            &t,
            &attention(kind, prio, 100_000),
            &opts(Duration::from_secs(5)),
        );
        assert!(matches!(d, Delivery::Delivered { .. }), "{d:?}");
        let r = one(&rx);
        no_secret(&r);
        let v = r.json();
        let e = &v["embeds"][0];
        let chars = |v: &Value| v.as_str().map_or(0, |s| s.chars().count());
        assert!(chars(&e["description"]) <= 4096);
        assert!(chars(&e["title"]) <= 256);
        let total = chars(&e["title"])
            + chars(&e["description"])
            + chars(&e["footer"]["text"])
            + e["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| chars(&f["name"]) + chars(&f["value"]))
                .sum::<usize>();
        assert!(total <= 6000, "{total}");
        assert_eq!(v["allowed_mentions"]["parse"], serde_json::json!([]));
        colours.push(e["color"].as_u64().unwrap());
    }
    colours.dedup();
    assert_eq!(colours.len(), 4, "one colour per kind");
}

#[test]
fn webhook_type_names_the_kind_and_data_carries_attention() {
    for (kind, prio) in KINDS {
        let rx = Receiver::start(Plan::always(200, "{}"));
        let t = resolved("w", &format!("type = \"webhook\"\nurl = {}", q(&rx.url())));
        let d = send(
            &t,
            &attention(kind, prio, 100_000),
            &opts(Duration::from_secs(5)),
        );
        assert!(matches!(d, Delivery::Delivered { .. }), "{d:?}");
        let r = one(&rx);
        no_secret(&r);
        assert!(r.body.len() <= 20_000);
        let v = r.json();
        assert_eq!(v["type"], format!("hookwatch.attention.{kind}"));
        assert_eq!(v["data"]["attention"]["kind"], kind);
        assert_eq!(v["data"]["attention"]["tool_calls"], 14);
    }
}

fn telegram(url: &str, extra: &str) -> hookwatch_sink::Resolved {
    std::env::set_var(
        "HW_ATT_TG",
        "123456789:AAH-fake_token_0123456789abcdefghijkl",
    );
    resolved(
        "tg",
        &format!("type = \"telegram\"\nbot_token_env = \"HW_ATT_TG\"\nchat_id = -1001234\napi_url = {}\n{extra}", q(url)),
    )
}

#[test]
fn telegram_sends_html_within_4096_characters() {
    for (kind, prio) in KINDS {
        let rx = Receiver::start(Plan::always(
            200,
            r#"{"ok":true,"result":{"message_id":1}}"#,
        ));
        let t = telegram(&rx.url(), "message_thread_id = 7");
        let d = send(
            &t,
            &attention(kind, prio, 100_000),
            &opts(Duration::from_secs(5)),
        );
        assert!(matches!(d, Delivery::Delivered { .. }), "{d:?}");
        let r = one(&rx);
        no_secret(&r);
        assert_eq!(r.method, "POST");
        assert_eq!(
            r.path,
            "/bot123456789:AAH-fake_token_0123456789abcdefghijkl/sendMessage"
        );
        let v = r.json();
        assert_eq!(v["chat_id"], -1001234);
        assert_eq!(v["parse_mode"], "HTML");
        assert_eq!(v["message_thread_id"], 7);
        assert_eq!(v["disable_notification"], kind == "idle");
        let text = v["text"].as_str().unwrap();
        // What Telegram counts: the text with tags removed and entities
        // decoded, in UTF-16 code units.
        let shown = text
            .replace("<b>", "")
            .replace("</b>", "")
            .replace("<i>", "")
            .replace("</i>", "")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&");
        assert!(
            shown.encode_utf16().count() <= 4096,
            "{}",
            shown.encode_utf16().count()
        );
        assert!(
            text.starts_with("<b>Claude is done in myproj &lt;b&gt;&amp;&lt;/b&gt;"),
            "{text}"
        );
        assert!(text.contains("&lt;script&gt;") && !text.contains("<script>"));
        // Only our own tags, and every entity whole.
        let stripped = text
            .replace("<b>", "")
            .replace("</b>", "")
            .replace("<i>", "")
            .replace("</i>", "");
        assert!(!stripped.contains('<') && !stripped.contains('>'));
        for (i, _) in stripped.match_indices('&') {
            let rest = &stripped[i..];
            assert!(
                rest.starts_with("&amp;") || rest.starts_with("&lt;") || rest.starts_with("&gt;"),
                "a cut entity at {i}"
            );
        }
        assert!(text.contains("<i>12m 34s · 14 tool calls"), "{text}");
    }
}

#[test]
fn telegram_alerts_render_too() {
    let rx = Receiver::start(Plan::always(200, r#"{"ok":true}"#));
    let t = telegram(&rx.url(), "");
    let d = send(&t, &notification(), &opts(Duration::from_secs(5)));
    assert!(matches!(d, Delivery::Delivered { .. }), "{d:?}");
    let r = one(&rx);
    no_secret(&r);
    let text = r.json()["text"].as_str().unwrap().to_string();
    assert!(text.contains("hookwatch show 42"), "{text}");
    assert!(text.contains("unresolved import"));
}

#[test]
fn telegram_answers_429_retry_after_and_400_description_without_the_token() {
    let rx = Receiver::start(
        Plan::default_reply(Reply::status(400).body(
            r#"{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}"#,
        ))
        .then(Reply::status(429).body(
            r#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 17","parameters":{"retry_after":17}}"#,
        )),
    );
    let t = telegram(&rx.url(), "");
    let n = attention("needs_you", Priority::High, 10);
    match send(&t, &n, &opts(Duration::from_secs(5))) {
        Delivery::Retry {
            status,
            after,
            error,
        } => {
            assert_eq!(status, Some(429));
            assert_eq!(after, Some(Duration::from_secs(17)));
            assert!(!error.contains("AAH-fake_token"), "{error}");
        }
        d => panic!("{d:?}"),
    }
    match send(&t, &n, &opts(Duration::from_secs(5))) {
        Delivery::Permanent { status, error } => {
            assert_eq!(status, Some(400));
            assert!(error.contains("chat not found"), "{error}");
            assert!(error.contains("chat_id"), "says what to check: {error}");
            assert!(!error.contains("AAH-fake_token"), "{error}");
        }
        d => panic!("{d:?}"),
    }
    // Nowhere else either: Debug, the endpoint, a refused connection.
    assert!(!format!("{t:?}").contains("AAH-fake_token"));
    assert!(!t.endpoint_redacted().contains("AAH-fake_token"));
    let closed = telegram("http://127.0.0.1:9", "");
    match send(&closed, &n, &opts(Duration::from_secs(2))) {
        Delivery::Retry { error, .. } => assert!(!error.contains("AAH-fake_token"), "{error}"),
        d => panic!("{d:?}"),
    }
    let rendered = render(&t, &n, NOW).unwrap();
    assert!(!format!("{rendered:?}").contains("AAH-fake_token"));
    assert!(matches!(rendered, Rendered::Http { .. }));
}

#[test]
fn telegram_config_mistakes_say_what_to_do() {
    let bad = |toml_text: &str| hookwatch_sink::resolve("tg", &config(toml_text)).unwrap_err();
    let e = bad("type = \"telegram\"\nbot_token = \"1:abc\"\nchat_id = 1");
    assert!(e.contains("bot_token_env") && !e.contains("1:abc"), "{e}");
    std::env::set_var("HW_ATT_TG_BAD", "not a token/../x");
    let e = bad("type = \"telegram\"\nbot_token_env = \"HW_ATT_TG_BAD\"\nchat_id = 1");
    assert!(e.contains("BotFather") && !e.contains("not a token"), "{e}");
    std::env::set_var("HW_ATT_TG2", "1:abc");
    let e = bad("type = \"telegram\"\nbot_token_env = \"HW_ATT_TG2\"");
    assert!(e.contains("chat_id"), "{e}");
    let ok = resolved(
        "tg",
        "type = \"telegram\"\nbot_token_env = \"HW_ATT_TG2\"\nchat_id = \"@mychannel\"",
    );
    assert_eq!(ok.endpoint_redacted(), "https://api.telegram.org");
}

/// A fake notify-send that records its argv, NUL-separated.
fn fake_notify_send(dir: &Path, record: &Path) -> std::path::PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let p = bin.join("notify-send");
    std::fs::write(
        &p,
        format!(
            "#!/bin/sh\nprintf '%s\\0' \"$@\" > '{}'\n",
            record.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

#[test]
fn desktop_urgency_and_sound_per_kind() {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("argv");
    let bin = fake_notify_send(dir.path(), &record);
    let search = std::env::join_paths([&bin]).unwrap();
    let mut r = resolved("desk", "type = \"desktop\"\napp_name = \"hw-test\"\n");
    r.desktop_program = find_on_path("notify-send", &search);
    let argv = |n: &Notification| -> Vec<String> {
        let d = send(&r, n, &opts(Duration::from_secs(10)));
        assert!(matches!(d, Delivery::Delivered { .. }), "{d:?}");
        std::fs::read(&record)
            .unwrap()
            .split(|&b| b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8(a.to_vec()).unwrap())
            .collect()
    };
    for (kind, prio, urgency, sound) in [
        ("done", Priority::Default, "normal", "complete"),
        (
            "needs_you",
            Priority::High,
            "critical",
            "message-new-instant",
        ),
        ("idle", Priority::Low, "low", "message"),
        ("failed", Priority::Urgent, "critical", "dialog-warning"),
    ] {
        let a = argv(&attention(kind, prio, 5000));
        assert_eq!(&a[..4], ["-a", "hw-test", "-u", urgency], "{kind}");
        assert_eq!(a[4], format!("--hint=string:sound-name:{sound}"));
        assert_eq!(a[5], "--");
        let body = &a[7];
        let unescaped = body.replace("&lt;", "<").replace("&amp;", "&");
        assert!(
            unescaped.chars().count() <= 600,
            "{}",
            unescaped.chars().count()
        );
        assert!(!a.iter().any(|x| x.contains(LEAKED)));
        assert!(body.contains("&lt;script>"), "markup escaped: {body}");
    }
    // sound = "" silences; a hostile sound name never becomes a hint.
    for s in ["", "x\ny", "a b", "../../etc"] {
        let mut n = attention("done", Priority::Default, 10);
        n.attention.as_mut().unwrap().sound = Some(s.into());
        let a = argv(&n);
        assert!(!a.iter().any(|x| x.starts_with("--hint")), "{s:?}: {a:?}");
    }
}

#[test]
fn command_gets_the_attention_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("got.json");
    let t = resolved(
        "cmd",
        &format!(
            "type = \"command\"\nargv = [\"sh\", \"-c\", {}]",
            q(&format!("cat > '{}'", out.display()))
        ),
    );
    let d = send(
        &t,
        &attention("needs_you", Priority::High, 100),
        &opts(Duration::from_secs(10)),
    );
    assert!(matches!(d, Delivery::Delivered { .. }), "{d:?}");
    let v: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(v["attention"]["kind"], "needs_you");
    assert_eq!(v["attention"]["priority"], "high");
    assert!(!v.to_string().contains(LEAKED));
}
