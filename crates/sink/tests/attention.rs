//! Attention notifications (Claude is done, needs you, is idle, failed)
//! on the wire: every HTTP target sends each kind to a real loopback
//! receiver, once as the worker builds it and once with a hostile message
//! (100 kB, multibyte, markup, control bytes, secrets).

mod common;

use base64::Engine as _;
use common::*;
use hookwatch_sink::{accepts_attention, render, send, Delivery, Notification, Rendered, Resolved};
use hookwatch_testkit::receiver::{Plan, Received, Receiver};
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const TURN: &str = "12m 30s · 14 tool calls · 3 files written · 1 failure";
const PLACE: &str = "myproj · main · fix-login-bug";

fn deliver(r: &Resolved, n: &Notification) {
    let d = send(r, n, &opts(Duration::from_secs(5)));
    assert!(matches!(d, Delivery::Delivered { .. }), "{d:?}");
}

/// Sends `n` and returns the request the receiver got.
fn sent(rx: &Receiver, r: &Resolved, n: &Notification) -> Received {
    let before = rx.requests().len();
    deliver(r, n);
    assert!(rx.wait_for(before + 1, Duration::from_secs(5)));
    rx.requests().pop().unwrap()
}

fn message(kind: &str) -> String {
    attention(kind).attention.unwrap().message.unwrap()
}

fn title(kind: &str) -> String {
    attention(kind).title
}

/// ntfy's Title header: ASCII as is, else one RFC 2047 encoded word.
fn ntfy_title(req: &Received) -> String {
    let t = req.header("title").unwrap();
    match t
        .strip_prefix("=?UTF-8?B?")
        .and_then(|t| t.strip_suffix("?="))
    {
        Some(b64) => String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap(),
        )
        .unwrap(),
        None => t.to_string(),
    }
}

fn no_controls(s: &str) {
    assert!(
        !s.chars().any(|c| c.is_control() && c != '\n'),
        "control characters in {:?}",
        &s[..s.len().min(200)]
    );
    assert!(!s.contains('\u{202E}'), "bidi override kept");
}

#[test]
fn ntfy_priority_tags_and_body_per_kind() {
    let rx = Receiver::start(Plan::always(200, r#"{"id":"x","event":"message"}"#));
    let r = resolved(
        "phone",
        &format!(
            "type = \"ntfy\"\nserver = {}\ntopic = \"hw-att\"\n",
            q(&rx.url())
        ),
    );
    for (kind, priority, tag) in [
        ("done", "3", "white_check_mark"),
        ("needs_you", "4", "raising_hand"),
        ("idle", "2", "hourglass"),
        ("failed", "5", "x"),
    ] {
        let req = sent(&rx, &r, &attention(kind));
        assert_eq!(req.path, "/hw-att");
        assert_eq!(req.header("priority"), Some(priority), "{kind}");
        assert_eq!(
            req.header("tags"),
            Some(format!("{tag},hookwatch").as_str())
        );
        assert_eq!(ntfy_title(&req), title(kind));
        let body = req.body_str();
        assert!(body.starts_with(&message(kind)), "{kind}: {body}");
        assert!(
            body.ends_with(&format!("{TURN}\n{PLACE}")),
            "{kind}: {body}"
        );
        assert_eq!(
            body.contains("StopFailure · rate_limit\n→ hookwatch show 42"),
            kind == "failed",
            "{body}"
        );

        let req = sent(&rx, &r, &hostile_attention(kind));
        assert!(req.body.len() <= 4096, "{}", req.body.len());
        let body = req.body_str();
        assert!(body.contains(TURN), "the facts survive a huge message");
        assert!(body.contains("<script>"), "ntfy bodies are plain text");
        no_controls(body);
        assert_no_secret(&req.body, "ntfy body");
        for (k, v) in &req.headers {
            assert_no_secret(v.as_bytes(), k);
        }
    }

    // A priority in the config wins; a test is marked.
    let r = resolved(
        "phone2",
        &format!(
            "type = \"ntfy\"\nserver = {}\ntopic = \"hw-att\"\npriority = 1\n",
            q(&rx.url())
        ),
    );
    let mut n = attention("needs_you");
    n.test = true;
    let req = sent(&rx, &r, &n);
    assert_eq!(req.header("priority"), Some("1"));
    assert_eq!(ntfy_title(&req), format!("[test] {}", title("needs_you")));
}

#[test]
fn slack_blocks_per_kind() {
    let rx = Receiver::start(Plan::always(200, "ok"));
    let dir = tempfile::tempdir().unwrap();
    let url = secret_file(
        dir.path(),
        "slack-url",
        &format!("{}/services/T000/B000/XXXXSECRET\n", rx.url()),
    );
    let r = resolved(
        "slack",
        &format!("type = \"slack\"\nurl_file = {}\n", q(&url)),
    );
    for kind in KINDS {
        let req = sent(&rx, &r, &attention(kind));
        assert_eq!(req.header("content-type"), Some("application/json"));
        let v = req.json();
        let escaped = message(kind).replace('&', "&amp;");
        let text = v["text"].as_str().unwrap();
        assert!(text.starts_with(&format!("{}\n", title(kind))), "{text}");
        assert!(text.contains(&escaped.replace("\n\n", " ")), "{text}");
        let blocks = v["blocks"].as_array().unwrap();
        assert_eq!(blocks[0]["type"], "header");
        assert_eq!(blocks[0]["text"]["text"], title(kind));
        assert_eq!(blocks[1]["type"], "section");
        assert_eq!(blocks[1]["text"]["type"], "mrkdwn");
        assert_eq!(blocks[1]["text"]["text"], escaped);
        let context = blocks.last().unwrap();
        assert_eq!(context["type"], "context");
        assert_eq!(
            context["elements"][0]["text"],
            format!("{TURN} · {PLACE} · sent by hookwatch")
        );
        if kind == "failed" {
            assert_eq!(
                blocks[2]["text"]["text"],
                "*StopFailure · rate_limit*\n`hookwatch show 42`"
            );
            assert_eq!(blocks.len(), 4);
        } else {
            assert_eq!(blocks.len(), 3);
        }

        let req = sent(&rx, &r, &hostile_attention(kind));
        let v = req.json();
        assert!(v["text"].as_str().unwrap().chars().count() <= 3000);
        let blocks = v["blocks"].as_array().unwrap();
        assert!(blocks[0]["text"]["text"].as_str().unwrap().chars().count() <= 150);
        let section = blocks[1]["text"]["text"].as_str().unwrap();
        assert!(
            section.chars().count() <= 3000,
            "{}",
            section.chars().count()
        );
        assert!(section.ends_with('…'));
        assert!(section
            .contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &amp;amp; &lt;!channel&gt;"));
        for b in blocks {
            let t = match b["type"].as_str().unwrap() {
                "section" => b["text"]["text"].as_str().unwrap(),
                "context" => b["elements"][0]["text"].as_str().unwrap(),
                _ => continue,
            };
            assert!(!t.contains('<') && !t.contains('>'), "{t}");
            assert!(t.chars().count() <= 3000);
            no_controls(t);
        }
        assert!(blocks.last().unwrap()["elements"][0]["text"]
            .as_str()
            .unwrap()
            .contains(TURN));
        assert_no_secret(&req.body, "slack");
    }
}

fn embed_total(e: &Value) -> usize {
    let c = |v: &Value| v.as_str().map_or(0, |s| s.chars().count());
    c(&e["title"])
        + c(&e["description"])
        + c(&e["footer"]["text"])
        + e["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| c(&f["name"]) + c(&f["value"]))
            .sum::<usize>()
}

#[test]
fn discord_embed_per_kind() {
    let rx = Receiver::start(Plan::always(200, r#"{"id":"1"}"#));
    let dir = tempfile::tempdir().unwrap();
    let url = secret_file(
        dir.path(),
        "discord-url",
        &format!("{}/api/webhooks/1/TOKEN\n", rx.url()),
    );
    let r = resolved(
        "dc",
        &format!("type = \"discord\"\nurl_file = {}\n", q(&url)),
    );
    for (kind, color) in [
        ("done", 0x2ECC71),
        ("needs_you", 0xF39C12),
        ("idle", 0x607D8B),
        ("failed", 0xE74C3C),
    ] {
        let req = sent(&rx, &r, &attention(kind));
        assert_eq!(req.path, "/api/webhooks/1/TOKEN?wait=true");
        let v = req.json();
        assert_eq!(v["allowed_mentions"], serde_json::json!({"parse": []}));
        assert_eq!(v["content"], title(kind));
        let e = &v["embeds"][0];
        assert_eq!(e["title"], title(kind));
        assert_eq!(e["color"], color, "{kind}");
        assert_eq!(e["timestamp"], "2027-01-15T07:59:59.000000Z");
        let fields: Vec<(String, String)> = e["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                assert_eq!(f["inline"], true);
                (
                    f["name"].as_str().unwrap().to_string(),
                    f["value"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let mut want: Vec<(&str, &str)> = vec![
            ("Took", "12m 30s"),
            ("Tool calls", "14"),
            ("Files written", "3"),
            ("Failures", "1"),
            ("Project", "myproj"),
            ("Branch", "main"),
            ("Session", "fix-login-bug"),
        ];
        if kind == "failed" {
            want.insert(0, ("Failure", r"StopFailure · rate\_limit"));
            assert_eq!(
                e["footer"]["text"],
                "Details: hookwatch show 42 · hookwatch"
            );
        } else {
            assert_eq!(e["footer"]["text"], "hookwatch");
        }
        let got: Vec<(&str, &str)> = fields
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        assert_eq!(got, want);
        // Plain prose goes as written (no markdown in these messages).
        assert_eq!(e["description"], message(kind));

        let req = sent(&rx, &r, &hostile_attention(kind));
        let v = req.json();
        let e = &v["embeds"][0];
        let d = e["description"].as_str().unwrap();
        assert!(d.chars().count() <= 4096);
        assert!(embed_total(e) <= 6000, "{}", embed_total(e));
        assert!(e["title"].as_str().unwrap().chars().count() <= 256);
        // Markdown and mentions are shown as written.
        assert!(
            d.contains(r"\<script\>alert(1)\</script\> & &amp; \<!channel\> \@everyone \<\@123\> \*\*bold\*\* \_it\_ \`code\`"),
            "{}",
            &d[..300]
        );
        assert!(!d.ends_with("\\…"), "a cut never leaves a lone backslash");
        no_controls(d);
        assert_no_secret(&req.body, "discord");
    }
}

fn verify_signature(r: &Received) {
    let id = r.header("webhook-id").unwrap();
    let ts: i64 = r.header("webhook-timestamp").unwrap().parse().unwrap();
    let want = hookwatch_sink::standard_webhooks_signature(SECRET, id, ts, &r.body).unwrap();
    assert_eq!(r.header("webhook-signature"), Some(want.as_str()));
}

#[test]
fn webhook_attention_types_and_data() {
    let rx = Receiver::start(Plan::always(204, ""));
    let dir = tempfile::tempdir().unwrap();
    let secret = secret_file(dir.path(), "whsec", SECRET);
    let r = resolved(
        "hook",
        &format!(
            "type = \"webhook\"\nurl = {}\nsecret_file = {}\n",
            q(&format!("{}/in", rx.url())),
            q(&secret)
        ),
    );
    for kind in KINDS {
        let req = sent(&rx, &r, &attention(kind));
        verify_signature(&req);
        assert_eq!(
            req.header("webhook-id"),
            Some(format!("att-{kind}-8").as_str())
        );
        let v = req.json();
        assert_eq!(v["type"], format!("hookwatch.attention.{kind}"));
        let a = &v["data"]["attention"];
        assert_eq!(a["kind"], kind);
        assert_eq!(a["message"], message(kind));
        assert_eq!(a["session_name"], "fix-login-bug");
        assert_eq!(a["branch"], "main");
        assert_eq!(a["turn_ms"], 750_000);
        assert_eq!(a["tool_calls"], 14);
        assert_eq!(
            a["priority"],
            match kind {
                "done" => "default",
                "needs_you" => "high",
                "idle" => "low",
                _ => "urgent",
            }
        );
        assert_eq!(v["data"]["title"], title(kind));
        assert_eq!(
            v["data"]["alerts"].as_array().unwrap().len(),
            usize::from(kind == "failed")
        );

        let req = sent(&rx, &r, &hostile_attention(kind));
        verify_signature(&req);
        assert!(req.body.len() <= 20_000, "{}", req.body.len());
        let v = req.json();
        let m = v["data"]["attention"]["message"].as_str().unwrap();
        assert!(m.ends_with('…') && m.chars().count() > 1000, "{}", m.len());
        assert!(v["data"]["title"] == title(kind), "the rest is kept whole");
        assert_no_secret(&req.body, "webhook");
    }
    // A test keeps its type; the attention still travels.
    let mut n = attention("done");
    n.test = true;
    let v = sent(&rx, &r, &n).json();
    assert_eq!(v["type"], "hookwatch.test");
    assert_eq!(v["data"]["attention"]["kind"], "done");
    // Alerts keep theirs.
    let v = sent(&rx, &r, &notification()).json();
    assert_eq!(v["type"], "hookwatch.alert.firing");
    assert!(v["data"].get("attention").is_none());
}

#[test]
fn telegram_html_per_kind() {
    let rx = Receiver::start(Plan::always(
        200,
        r#"{"ok":true,"result":{"message_id":17,"chat":{"id":-1001234567890}}}"#,
    ));
    let dir = tempfile::tempdir().unwrap();
    let r = telegram(dir.path(), &rx.url(), "message_thread_id = 77\n");
    for kind in KINDS {
        let req = sent(&rx, &r, &attention(kind));
        assert_eq!(req.method, "POST");
        assert_eq!(req.path, format!("/bot{BOT_TOKEN}/sendMessage"));
        assert_eq!(req.header("content-type"), Some("application/json"));
        let v = req.json();
        assert_eq!(v["chat_id"], -1001234567890i64);
        assert_eq!(v["parse_mode"], "HTML");
        assert_eq!(v["link_preview_options"]["is_disabled"], true);
        assert_eq!(v["message_thread_id"], 77);
        assert_eq!(v["disable_notification"], kind == "idle", "{kind}");
        let text = v["text"].as_str().unwrap();
        assert_telegram_html(text);
        let quote = message(kind).replace('&', "&amp;");
        let failure = if kind == "failed" {
            "\n<b>StopFailure · rate_limit</b>\n<code>hookwatch show 42</code>"
        } else {
            ""
        };
        assert_eq!(
            text,
            format!(
                "<b>{}</b>\n<blockquote>{quote}</blockquote>{failure}\n{TURN}\n{PLACE}",
                title(kind)
            )
        );

        let req = sent(&rx, &r, &hostile_attention(kind));
        let v = req.json();
        let text = v["text"].as_str().unwrap();
        assert_telegram_html(text);
        assert!(text.contains("<blockquote expandable>token [REDACTED:"));
        assert!(text.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &amp;amp;"));
        assert!(text.contains(&format!("…</blockquote>{failure}\n{TURN}\n")));
        no_controls(text);
        assert_no_secret(&req.body, "telegram");
    }
}

fn http_body(r: &Resolved, n: &Notification) -> Vec<u8> {
    match render(r, n, NOW).unwrap() {
        Rendered::Http { body, .. } => body,
        other => panic!("{other:?}"),
    }
}

#[test]
fn pagerduty_and_sentry_take_only_failures() {
    for kind in KINDS {
        for target in ["pagerduty", "sentry"] {
            assert_eq!(accepts_attention(target, kind), kind == "failed");
        }
        for target in [
            "webhook", "slack", "discord", "ntfy", "telegram", "desktop", "command",
        ] {
            assert!(accepts_attention(target, kind));
        }
    }
    assert!(accepts_attention("ntfy", "some_future_kind"));
    assert!(!accepts_attention("pagerduty", "some_future_kind"));

    // Sent anyway, a kind other than "failed" is informational only.
    let dir = tempfile::tempdir().unwrap();
    let key = secret_file(dir.path(), "pd", "R0123456789abcdef0123456789abcde");
    let pd = resolved(
        "pd",
        &format!(
            "type = \"pagerduty\"\nrouting_key_file = {}\nurl = \"http://127.0.0.1:9/\"\n",
            q(&key)
        ),
    );
    let v: Value = serde_json::from_slice(&http_body(&pd, &attention("done"))).unwrap();
    assert_eq!(v["payload"]["severity"], "info");
    assert_eq!(v["payload"]["class"], "done");
    assert_eq!(v["payload"]["custom_details"]["attention"]["kind"], "done");
    let v: Value = serde_json::from_slice(&http_body(&pd, &attention("failed"))).unwrap();
    assert_eq!(v["payload"]["severity"], "error");
    assert_eq!(v["payload"]["class"], "rate_limit");
    assert_eq!(
        v["payload"]["custom_details"]["details"],
        "hookwatch show 42"
    );
    assert_eq!(
        v["payload"]["custom_details"]["attention"]["branch"],
        "main"
    );

    let dsn = secret_file(dir.path(), "dsn", "http://k@127.0.0.1:9/1");
    let sentry = resolved("s", &format!("type = \"sentry\"\ndsn_file = {}\n", q(&dsn)));
    let event = |n: &Notification| {
        let b = http_body(&sentry, n);
        let last = b
            .split(|&c| c == b'\n')
            .rfind(|l| !l.is_empty())
            .unwrap()
            .to_vec();
        serde_json::from_slice::<Value>(&last).unwrap()
    };
    let ev = event(&attention("done"));
    assert_eq!(ev["level"], "info");
    assert_eq!(ev["tags"]["attention"], "done");
    assert_eq!(ev["tags"]["branch"], "main");
    assert_eq!(ev["extra"]["attention"]["tool_calls"], 14);
    let ev = event(&attention("failed"));
    assert_eq!(ev["level"], "error");
    let msg = ev["message"]["formatted"].as_str().unwrap();
    assert!(msg.starts_with(&format!("{}\n", title("failed"))), "{msg}");
    assert!(msg.contains("hookwatch show 42") && msg.contains(TURN));
    let ev = event(&hostile_attention("failed"));
    assert!(ev["message"]["formatted"].as_str().unwrap().len() <= 8192);
}

/// Every target, every kind: a secret in the message, the session name or
/// the branch never reaches the rendered bytes (URL, headers, body, argv,
/// stdin).
#[test]
fn secrets_in_attention_reach_no_target() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let url = secret_file(d, "url", "http://127.0.0.1:9/hook");
    let key = secret_file(d, "key", "R0123456789abcdef0123456789abcde");
    let dsn = secret_file(d, "dsn", "http://k@127.0.0.1:9/1");
    let mut targets = vec![
        resolved(
            "w",
            &format!("type = \"webhook\"\nurl_file = {}\n", q(&url)),
        ),
        resolved("s", &format!("type = \"slack\"\nurl_file = {}\n", q(&url))),
        resolved(
            "d",
            &format!("type = \"discord\"\nurl_file = {}\n", q(&url)),
        ),
        resolved(
            "p",
            &format!("type = \"pagerduty\"\nrouting_key_file = {}\n", q(&key)),
        ),
        resolved("e", &format!("type = \"sentry\"\ndsn_file = {}\n", q(&dsn))),
        resolved("n", "type = \"ntfy\"\ntopic = \"t\"\n"),
        telegram(d, "http://127.0.0.1:9", ""),
        resolved("c", "type = \"command\"\nargv = [\"/bin/cat\"]\n"),
    ];
    for program in ["notify-send", "osascript"] {
        let mut r = resolved("desk", "type = \"desktop\"\n");
        r.desktop_program = Some(Path::new("/opt/fake").join(program));
        targets.push(r);
    }
    for r in &targets {
        for kind in KINDS {
            for mut n in [hostile_attention(kind), attention(kind)] {
                // The secret in every text the worker fills in.
                let a = n.attention.as_mut().unwrap();
                a.cause = format!("{} {LEAKED}", a.cause);
                a.sound = Some(AWS_KEY.to_string());
                n.title = format!("{} {AWS_KEY}", n.title);
                let what = format!("{} {kind}", r.config.kind());
                match render(r, &n, NOW).unwrap() {
                    Rendered::Http {
                        url, headers, body, ..
                    } => {
                        assert_no_secret(url.as_bytes(), &what);
                        for (k, v) in headers {
                            assert_no_secret(v.as_bytes(), &format!("{what} {k}"));
                        }
                        assert_no_secret(&body, &what);
                    }
                    Rendered::Exec { argv, stdin } => {
                        for a in argv {
                            assert_no_secret(a.as_bytes(), &what);
                        }
                        assert_no_secret(&stdin, &what);
                    }
                }
            }
        }
    }
}
