//! Every HTTP target sends to a real loopback receiver; the request is
//! checked against the target's documented format.

mod common;

use base64::Engine as _;
use common::*;
use hmac::{Hmac, KeyInit, Mac};
use hookwatch_sink::{render, send, standard_webhooks_signature, Delivery, Rendered, Status};
use hookwatch_testkit::receiver::{Plan, Received, Receiver};
use serde_json::Value;
use sha2::Sha256;
use std::time::Duration;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn one_request(rx: &Receiver) -> Received {
    assert!(rx.wait_for(1, Duration::from_secs(5)));
    rx.requests().pop().unwrap()
}

fn delivered(d: &Delivery) {
    assert!(matches!(d, Delivery::Delivered { .. }), "{d:?}");
}

/// The receiver's side of Standard Webhooks, written from the spec, not
/// from the code under test.
fn verify_standard_webhooks(secret: &str, r: &Received) {
    let id = r.header("webhook-id").expect("webhook-id");
    let ts = r.header("webhook-timestamp").expect("webhook-timestamp");
    assert!(!id.contains('.') && !ts.contains('.'));
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{ts}.").as_bytes());
    mac.update(&r.body);
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let sigs = r.header("webhook-signature").expect("webhook-signature");
    assert!(
        sigs.split(' ').any(|s| s == format!("v1,{expected}")),
        "{sigs} vs v1,{expected}"
    );
}

#[test]
fn spec_test_vector() {
    assert_eq!(
        standard_webhooks_signature(
            "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
            "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
            1649367553,
            br#"{"email":"test@example.com","username":"test_user"}"#
        )
        .unwrap(),
        "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw="
    );
}

#[test]
fn webhook_is_signed_per_standard_webhooks() {
    let rx = Receiver::start(Plan::always(200, "ok"));
    let dir = tempfile::tempdir().unwrap();
    let secret = secret_file(dir.path(), "whsec", &format!("{SECRET}\n"));
    let r = resolved(
        "hook",
        &format!(
            "type = \"webhook\"\nurl = {}\nsecret_file = {}\n[headers]\nX-Team = \"infra\"\n",
            q(&format!("{}/in/hook?src=hw", rx.url())),
            q(&secret)
        ),
    );
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    let n = notification();
    delivered(&send(&r, &n, &opts(Duration::from_secs(5))));
    // A retry, later: same id, new timestamp and signature.
    let mut later = opts(Duration::from_secs(5));
    later.now_unix_s += 90;
    later.attempt = 2;
    delivered(&send(&r, &n, &later));
    assert!(rx.wait_for(2, Duration::from_secs(5)));
    let reqs = rx.requests();
    for (req, now) in reqs.iter().zip([NOW, NOW + 90]) {
        assert_eq!(req.method, "POST");
        assert_eq!(req.path, "/in/hook?src=hw");
        assert_eq!(req.header("content-type"), Some("application/json"));
        assert_eq!(req.header("webhook-id"), Some("n7-3f2a9c"));
        assert_eq!(req.header("idempotency-key"), Some("n7-3f2a9c"));
        assert_eq!(
            req.header("webhook-timestamp"),
            Some(now.to_string().as_str())
        );
        assert_eq!(req.header("x-team"), Some("infra"));
        verify_standard_webhooks(SECRET, req);
        let v = req.json();
        assert_eq!(v["type"], "hookwatch.alert.firing");
        assert_eq!(v["timestamp"], "2027-01-15T07:59:59.000000Z");
        assert_eq!(v["data"]["key"], "n7-3f2a9c");
        assert_eq!(v["data"]["alerts"][0]["event_id"], 42);
        assert_eq!(v["data"]["project"], "myproj");
        assert!(!req.body_str().contains(LEAKED));
        assert!(req.body.len() < 20_000);
    }
    assert_eq!(reqs[0].body, reqs[1].body);
    assert_ne!(
        reqs[0].header("webhook-signature"),
        reqs[1].header("webhook-signature")
    );

    // Types for the other kinds of notification.
    let mut resolved_n = n.clone();
    resolved_n.status = Status::Resolved;
    let mut test_n = n.clone();
    test_n.test = true;
    for (n, kind) in [
        (resolved_n, "hookwatch.alert.resolved"),
        (test_n, "hookwatch.test"),
    ] {
        let Rendered::Http { body, .. } = render(&r, &n, NOW).unwrap() else {
            panic!()
        };
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["type"], kind);
    }
}

#[test]
fn webhook_without_secret_is_unsigned_and_dotted_keys_are_mapped() {
    let rx = Receiver::start(Plan::always(204, ""));
    let r = resolved(
        "plain",
        &format!("type = \"webhook\"\nurl = {}\n", q(&rx.url())),
    );
    let mut n = notification();
    n.key = "n7.retry.x".into();
    delivered(&send(&r, &n, &opts(Duration::from_secs(5))));
    let req = one_request(&rx);
    assert!(req.header("webhook-signature").is_none());
    let id = req.header("webhook-id").unwrap();
    assert!(id.starts_with("msg_") && !id.contains('.'), "{id}");
}

#[test]
fn slack_text_and_blocks_within_limits() {
    let rx = Receiver::start(Plan::always(200, "ok"));
    let dir = tempfile::tempdir().unwrap();
    let url = secret_file(
        dir.path(),
        "slack-url",
        &format!("{}/services/T000/B000/XXXXSECRET\n", rx.url()),
    );
    let r = resolved(
        "team-slack",
        &format!("type = \"slack\"\nurl_file = {}\n", q(&url)),
    );
    let mut n = notification();
    n.title = format!("<!channel> & {} failed", "x".repeat(300));
    n.alerts[0].error = Some(format!(
        "<script>alert(1)</script> & ``` {}",
        "E".repeat(100_000)
    ));
    n.alerts[0].command = Some("echo `id` > /tmp/x && rm -rf <dir>".into());
    delivered(&send(&r, &n, &opts(Duration::from_secs(5))));
    let req = one_request(&rx);
    assert_eq!(req.path, "/services/T000/B000/XXXXSECRET");
    assert_eq!(req.header("content-type"), Some("application/json"));
    let v = req.json();
    let text = v["text"].as_str().unwrap();
    assert!(text.starts_with("&lt;!channel&gt; &amp; xxx"), "{text}");
    assert!(text.chars().count() <= 3000);
    let blocks = v["blocks"].as_array().unwrap();
    assert!(blocks.len() <= 50);
    assert_eq!(blocks[0]["type"], "header");
    assert_eq!(blocks[0]["text"]["type"], "plain_text");
    assert!(blocks[0]["text"]["text"].as_str().unwrap().chars().count() <= 150);
    let mut all = String::new();
    for b in blocks {
        match b["type"].as_str().unwrap() {
            "section" => {
                assert_eq!(b["text"]["type"], "mrkdwn");
                let t = b["text"]["text"].as_str().unwrap();
                assert!(t.chars().count() <= 3000, "{}", t.chars().count());
                assert!(!t.contains('<') && !t.contains('>'), "{t}");
                all.push_str(t);
            }
            "context" => {
                let t = b["elements"][0]["text"].as_str().unwrap();
                assert!(t.contains("hookwatch show 42"));
                all.push_str(t);
            }
            "header" => {}
            other => panic!("unexpected block {other}"),
        }
    }
    for want in [
        "Project: myproj",
        "Session: 5f1c2d3e",
        "Bash",
        "missing_dependency",
        "3×",
        "rm -rf &lt;dir&gt;",
        "&lt;script&gt;",
        "hookwatch show 42",
    ] {
        assert!(all.contains(want), "{want} missing in {all}");
    }
    assert!(!req.body_str().contains(LEAKED));

    // Many alerts: still at most 50 blocks, the rest counted.
    let mut many = notification();
    many.alerts = (1..=80).map(|i| alert(i, "boom")).collect();
    let Rendered::Http { body, .. } = render(&r, &many, NOW).unwrap() else {
        panic!()
    };
    let v: Value = serde_json::from_slice(&body).unwrap();
    let blocks = v["blocks"].as_array().unwrap();
    assert!(blocks.len() <= 50);
    assert!(blocks.last().unwrap()["elements"][0]["text"]
        .as_str()
        .unwrap()
        .contains("60 more not shown"));
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
fn discord_embed_within_limits() {
    let rx = Receiver::start(Plan::always(200, r#"{"id":"1","type":0}"#));
    let dir = tempfile::tempdir().unwrap();
    let url = secret_file(
        dir.path(),
        "discord-url",
        &format!("{}/api/webhooks/123/TOKENSECRET?thread_id=9\n", rx.url()),
    );
    let r = resolved(
        "dc",
        &format!("type = \"discord\"\nurl_file = {}\n", q(&url)),
    );
    let mut n = notification();
    n.title = format!("@everyone {}", "T".repeat(5000));
    n.alerts = (1..=40)
        .map(|i| alert(i, &format!("@here {} {}", "e".repeat(5000), LEAKED)))
        .collect();
    n.alerts.last_mut().unwrap().command = Some("c".repeat(3000));
    let d = send(&r, &n, &opts(Duration::from_secs(5)));
    delivered(&d);
    let req = one_request(&rx);
    assert_eq!(
        req.path,
        "/api/webhooks/123/TOKENSECRET?thread_id=9&wait=true"
    );
    let v = req.json();
    assert_eq!(v["allowed_mentions"], serde_json::json!({"parse": []}));
    assert!(v["content"].as_str().unwrap().chars().count() <= 2000);
    let embeds = v["embeds"].as_array().unwrap();
    assert_eq!(embeds.len(), 1);
    let e = &embeds[0];
    let c = |v: &Value| v.as_str().unwrap().chars().count();
    assert!(c(&e["title"]) <= 256);
    assert!(c(&e["description"]) <= 4096);
    assert!(c(&e["footer"]["text"]) <= 2048);
    let fields = e["fields"].as_array().unwrap();
    assert!(fields.len() <= 25);
    for f in fields {
        assert!(c(&f["name"]) <= 256 && c(&f["value"]) <= 1024);
    }
    assert!(embed_total(e) <= 6000, "{}", embed_total(e));
    assert!(e["footer"]["text"]
        .as_str()
        .unwrap()
        .contains("hookwatch show 40"));
    assert_eq!(e["color"], 0xE74C3C);
    assert_eq!(e["timestamp"], "2027-01-15T07:59:59.000000Z");
    assert!(e["description"].as_str().unwrap().contains("eee"));
    assert!(!req.body_str().contains(LEAKED));

    // The sample: context fields present.
    let rx2 = Receiver::start(Plan::always(200, "{}"));
    let url2 = secret_file(dir.path(), "u2", &format!("{}/api/webhooks/1/t", rx2.url()));
    let r2 = resolved(
        "dc2",
        &format!("type = \"discord\"\nurl_file = {}\n", q(&url2)),
    );
    delivered(&send(&r2, &notification(), &opts(Duration::from_secs(5))));
    let req = one_request(&rx2);
    assert_eq!(req.path, "/api/webhooks/1/t?wait=true");
    let v = req.json();
    let e = &v["embeds"][0];
    let names: Vec<&str> = e["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Project") && names.contains(&"Session"),
        "{names:?}"
    );
    let d = e["description"].as_str().unwrap();
    assert!(d.contains("cargo build") && d.contains("E0432") && d.contains("missing_dependency"));
}

#[test]
fn pagerduty_trigger_and_resolve() {
    let rx = Receiver::start(Plan::always(
        202,
        r#"{"status":"success","message":"Event processed","dedup_key":"x"}"#,
    ));
    let dir = tempfile::tempdir().unwrap();
    let key = secret_file(dir.path(), "pd", "R0123456789abcdef0123456789abcde\n");
    let r = resolved(
        "pd",
        &format!(
            "type = \"pagerduty\"\nrouting_key_file = {}\nurl = {}\n",
            q(&key),
            q(&format!("{}/v2/enqueue", rx.url()))
        ),
    );
    let n = notification();
    let d = send(&r, &n, &opts(Duration::from_secs(5)));
    assert!(
        matches!(&d, Delivery::Delivered { status: Some(202), answer } if answer.starts_with("HTTP 202: {\"status\":\"success\"")),
        "{d:?}"
    );
    // Another notification of the same group: same dedup_key.
    let mut n2 = notification();
    n2.key = "n8-other".into();
    n2.severity = hookwatch_sink::Severity::Critical;
    delivered(&send(&r, &n2, &opts(Duration::from_secs(5))));
    let mut res = notification();
    res.status = Status::Resolved;
    res.key = "n9".into();
    delivered(&send(&r, &res, &opts(Duration::from_secs(5))));
    assert!(rx.wait_for(3, Duration::from_secs(5)));
    let reqs = rx.requests();
    let t = reqs[0].json();
    assert_eq!(reqs[0].path, "/v2/enqueue");
    assert_eq!(t["routing_key"], "R0123456789abcdef0123456789abcde");
    assert_eq!(t["event_action"], "trigger");
    assert_eq!(t["client"], "hookwatch");
    let dedup = t["dedup_key"].as_str().unwrap();
    assert!(dedup.len() <= 255 && dedup.starts_with("hookwatch-"));
    let p = &t["payload"];
    let summary = p["summary"].as_str().unwrap();
    assert!(summary.starts_with("Bash failed 3× in myproj") && summary.chars().count() <= 1024);
    assert!(!p["source"].as_str().unwrap().is_empty());
    assert_eq!(p["severity"], "error");
    assert_eq!(p["timestamp"], "2027-01-15T07:59:59.000000Z");
    assert_eq!(p["component"], "Bash");
    assert_eq!(p["group"], "myproj");
    assert_eq!(p["class"], "missing_dependency");
    let cd = &p["custom_details"];
    assert_eq!(cd["details"], "hookwatch show 42");
    assert_eq!(cd["alerts"][0]["command"], "cargo build --release");
    assert!(!reqs[0].body_str().contains(LEAKED));

    let t2 = reqs[1].json();
    assert_eq!(t2["dedup_key"], dedup);
    assert_eq!(t2["payload"]["severity"], "critical");

    let res = reqs[2].json();
    let obj = res.as_object().unwrap();
    assert_eq!(obj.len(), 3, "{res}");
    assert_eq!(res["event_action"], "resolve");
    assert_eq!(res["dedup_key"], dedup);
    assert_eq!(res["routing_key"], "R0123456789abcdef0123456789abcde");
}

#[test]
fn pagerduty_drops_custom_details_over_512kb() {
    let dir = tempfile::tempdir().unwrap();
    let key = secret_file(dir.path(), "pd", "k");
    let r = resolved(
        "pd",
        &format!(
            "type = \"pagerduty\"\nrouting_key_file = {}\nurl = \"http://127.0.0.1:9/\"\n",
            q(&key)
        ),
    );
    let mut n = notification();
    n.alerts = (1..=60).map(|i| alert(i, &"x".repeat(10_000))).collect();
    let Rendered::Http { body, .. } = render(&r, &n, NOW).unwrap() else {
        panic!()
    };
    assert!(body.len() <= 512_000);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert!(v["payload"]["custom_details"]["note"]
        .as_str()
        .unwrap()
        .contains("hookwatch show 60"));
}

/// Splits an envelope into its header, item header and item payload.
fn envelope(body: &[u8]) -> (Value, Value, Vec<u8>) {
    let nl = body.iter().position(|&b| b == b'\n').unwrap();
    let header: Value = serde_json::from_slice(&body[..nl]).unwrap();
    let rest = &body[nl + 1..];
    let nl2 = rest.iter().position(|&b| b == b'\n').unwrap();
    let item_header: Value = serde_json::from_slice(&rest[..nl2]).unwrap();
    let len = item_header["length"].as_u64().unwrap() as usize;
    let payload = rest[nl2 + 1..nl2 + 1 + len].to_vec();
    assert_eq!(
        &rest[nl2 + 1 + len..],
        b"\n",
        "exactly `length` bytes then a newline"
    );
    (header, item_header, payload)
}

#[test]
fn sentry_envelope() {
    let rx = Receiver::start(Plan::always(200, r#"{"id":"abc"}"#));
    let dir = tempfile::tempdir().unwrap();
    let port = rx.port();
    let dsn = secret_file(
        dir.path(),
        "dsn",
        &format!("http://0123456789abcdef0123456789abcdef@127.0.0.1:{port}/sentry/42\n"),
    );
    let r = resolved(
        "sentry",
        &format!(
            "type = \"sentry\"\ndsn_file = {}\nenvironment = \"dev\"\n",
            q(&dsn)
        ),
    );
    let mut n = notification();
    n.alerts[0].error = Some(format!("{} é {LEAKED}", "ü".repeat(20_000)));
    delivered(&send(&r, &n, &opts(Duration::from_secs(5))));
    let mut retry = opts(Duration::from_secs(5));
    retry.now_unix_s += 60;
    retry.attempt = 2;
    delivered(&send(&r, &n, &retry));
    assert!(rx.wait_for(2, Duration::from_secs(5)));
    let reqs = rx.requests();
    let mut ids = Vec::new();
    for (req, now) in reqs.iter().zip([NOW, NOW + 60]) {
        assert_eq!(req.path, "/sentry/api/42/envelope/");
        assert_eq!(
            req.header("x-sentry-auth").unwrap(),
            format!(
                "Sentry sentry_version=7, sentry_client=hookwatch/{}, sentry_key=0123456789abcdef0123456789abcdef",
                env!("CARGO_PKG_VERSION")
            )
        );
        assert_eq!(
            req.header("content-type"),
            Some("application/x-sentry-envelope")
        );
        let agents: Vec<_> = req
            .headers
            .iter()
            .filter(|(k, _)| k == "user-agent")
            .collect();
        assert_eq!(agents.len(), 1, "{agents:?}");
        assert!(agents[0].1.starts_with("hookwatch/"));
        let (header, item_header, payload) = envelope(&req.body);
        let id = header["event_id"].as_str().unwrap().to_string();
        assert_eq!(id.len(), 32);
        assert!(id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        assert_eq!(
            header["dsn"],
            format!("http://0123456789abcdef0123456789abcdef@127.0.0.1:{port}/sentry/42")
        );
        let sent_at = header["sent_at"].as_str().unwrap();
        assert_eq!(
            sent_at,
            if now == NOW {
                "2027-01-15T08:00:00Z"
            } else {
                "2027-01-15T08:01:00Z"
            }
        );
        assert_eq!(item_header["type"], "event");
        assert_eq!(
            item_header["length"].as_u64().unwrap() as usize,
            payload.len()
        );
        let ev: Value = serde_json::from_slice(&payload).unwrap();
        assert_eq!(ev["event_id"], id);
        assert_eq!(ev["platform"], "other");
        assert_eq!(ev["level"], "error");
        assert_eq!(ev["logger"], "hookwatch");
        assert_eq!(ev["environment"], "dev");
        let msg = ev["message"]["formatted"].as_str().unwrap();
        assert!(msg.chars().count() <= 8192);
        assert!(msg.contains("hookwatch show 42") && msg.contains("Project: myproj"));
        assert_eq!(ev["tags"]["tool"], "Bash");
        assert_eq!(ev["tags"]["class"], "missing_dependency");
        assert_eq!(ev["tags"]["project"], "myproj");
        assert_eq!(ev["tags"]["event"], "PostToolUseFailure");
        for (_, v) in ev["tags"].as_object().unwrap() {
            assert!(v.as_str().unwrap().chars().count() <= 200);
        }
        assert_eq!(
            ev["fingerprint"],
            serde_json::json!([
                "hookwatch",
                "tool=Bash,class=missing_dependency,project=myproj"
            ])
        );
        for (_, v) in ev["extra"].as_object().unwrap() {
            assert!(serde_json::to_vec(v).unwrap().len() <= 16_384);
        }
        assert!(!req.body_str().contains(LEAKED));
        ids.push(id);
    }
    assert_eq!(ids[0], ids[1], "event_id is stable across retries");
}

#[test]
fn ntfy_headers_and_body() {
    let rx = Receiver::start(Plan::always(200, r#"{"id":"x","event":"message"}"#));
    let dir = tempfile::tempdir().unwrap();
    let token = secret_file(dir.path(), "tok", "tk_abcdefghijklmnopqrstuvwxyz123\n");
    let r = resolved(
        "phone",
        &format!(
            "type = \"ntfy\"\nserver = {}\ntopic = \"hookwatch-alerts_1\"\ntoken_file = {}\n",
            q(&format!("{}/", rx.url())),
            q(&token)
        ),
    );
    let mut n = notification();
    n.alerts[0].error = Some(format!("{} {LEAKED}", "z".repeat(10_000)));
    delivered(&send(&r, &n, &opts(Duration::from_secs(5))));
    let req = one_request(&rx);
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/hookwatch-alerts_1");
    assert_eq!(
        req.header("authorization"),
        Some("Bearer tk_abcdefghijklmnopqrstuvwxyz123")
    );
    assert_eq!(req.header("priority"), Some("4"));
    assert_eq!(req.header("tags"), Some("x,hookwatch"));
    // "3×" is not ASCII: RFC 2047, which ntfy decodes.
    let title = req.header("title").unwrap();
    let b64 = title
        .strip_prefix("=?UTF-8?B?")
        .and_then(|t| t.strip_suffix("?="))
        .unwrap();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    assert_eq!(
        String::from_utf8(decoded).unwrap(),
        "Bash failed 3× in myproj: cargo build (missing_dependency)"
    );
    assert!(req.body.len() <= 4096);
    let body = req.body_str();
    for want in [
        "Project: myproj",
        "Session: 5f1c2d3e",
        "$ cargo build --release",
        "zzz",
        "hookwatch show 42",
    ] {
        assert!(body.contains(want), "{want} not in {body}");
    }
    assert!(!body.contains(LEAKED));

    // Configured priority wins; ASCII titles go as they are.
    let r = resolved(
        "phone2",
        &format!(
            "type = \"ntfy\"\nserver = {}\ntopic = \"t\"\npriority = \"urgent\"\n",
            q(&rx.url())
        ),
    );
    let mut n = notification();
    n.title = "plain title".into();
    let Rendered::Http { headers, .. } = render(&r, &n, NOW).unwrap() else {
        panic!()
    };
    assert!(headers.contains(&("Priority".into(), "urgent".into())));
    assert!(headers.contains(&("Title".into(), "plain title".into())));
    assert!(!headers.iter().any(|(k, _)| k == "Authorization"));
}

#[test]
fn render_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let f = secret_file(dir.path(), "s", "http://127.0.0.1:9/x");
    let dsn = secret_file(dir.path(), "d", "http://k@127.0.0.1:9/1");
    let key = secret_file(dir.path(), "k", "key");
    let bot = secret_file(dir.path(), "b", BOT_TOKEN);
    for cfg in [
        format!(
            "type = \"webhook\"\nurl_file = {}\nsecret_file = {}\n",
            q(&f),
            q(&key)
        ),
        format!("type = \"slack\"\nurl_file = {}\n", q(&f)),
        format!("type = \"discord\"\nurl_file = {}\n", q(&f)),
        format!("type = \"pagerduty\"\nrouting_key_file = {}\n", q(&key)),
        format!("type = \"sentry\"\ndsn_file = {}\n", q(&dsn)),
        "type = \"ntfy\"\ntopic = \"t\"\n".to_string(),
        format!(
            "type = \"telegram\"\nbot_token_file = {}\nchat_id = 1\n",
            q(&bot)
        ),
        "type = \"command\"\nargv = [\"/bin/true\"]\n".to_string(),
    ] {
        let r = resolved("det", &cfg);
        let a = render(&r, &notification(), NOW).unwrap();
        let b = render(&r, &notification(), NOW).unwrap();
        assert_eq!(a, b, "{cfg}");
        // Debug output of a rendered request hides URL paths and bodies.
        let dbg = format!("{a:?}");
        assert!(!dbg.contains("/x") && !dbg.contains("key\""), "{dbg}");
        assert!(!dbg.contains(BOT_TOKEN), "{dbg}");
    }
}
