//! What one attempt comes to, against a real loopback server: the answers
//! and failures the outbox must tell apart.

mod common;

use common::*;
use hookwatch_sink::{send, Delivery, Resolved};
use hookwatch_testkit::receiver::{Plan, Receiver, Reply};
use std::time::{Duration, Instant};

/// A path that would be the credential on a real Slack/Discord URL: no
/// error may show it.
const PATH_SECRET: &str = "services/T0/B0/PATHSECRET42";

fn target(kind: &str, base: &str) -> (tempfile::TempDir, Resolved) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = match kind {
        "sentry" => {
            let port = base.rsplit(':').next().unwrap();
            let f = secret_file(
                dir.path(),
                "dsn",
                &format!("http://pubkey@127.0.0.1:{port}/1"),
            );
            format!("type = \"sentry\"\ndsn_file = {}\n", q(&f))
        }
        _ => {
            let f = secret_file(dir.path(), "url", &format!("{base}/{PATH_SECRET}"));
            format!("type = \"{kind}\"\nurl_file = {}\n", q(&f))
        }
    };
    (dir, resolved("t", &cfg))
}

fn attempt(kind: &str, reply: Reply, timeout: Duration) -> (Delivery, Receiver) {
    let rx = Receiver::start(Plan::default_reply(reply));
    let (_dir, r) = target(kind, &rx.url());
    let d = send(&r, &notification(), &opts(timeout));
    check_no_secret(&d);
    (d, rx)
}

fn check_no_secret(d: &Delivery) {
    let text = format!("{d:?}");
    assert!(!text.contains("PATHSECRET42"), "{text}");
    assert!(!text.contains("pubkey"), "{text}");
}

fn retry_after(d: &Delivery) -> Option<Duration> {
    match d {
        Delivery::Retry { after, .. } => *after,
        other => panic!("expected Retry, got {other:?}"),
    }
}

#[test]
fn success_is_delivered_with_the_answer() {
    let (d, _rx) = attempt("slack", Reply::ok("ok"), Duration::from_secs(5));
    assert_eq!(
        d,
        Delivery::Delivered {
            status: Some(200),
            answer: "HTTP 200: ok".into()
        }
    );
}

#[test]
fn server_errors_retry() {
    for status in [500, 502, 503, 504, 408] {
        let (d, _rx) = attempt(
            "slack",
            Reply::status(status).body("rollup_error"),
            Duration::from_secs(5),
        );
        assert!(
            matches!(&d, Delivery::Retry { status: Some(s), after: None, error } if *s == status && error.contains("rollup_error")),
            "{d:?}"
        );
    }
}

#[test]
fn too_many_requests_with_retry_after_seconds() {
    let (d, _rx) = attempt(
        "slack",
        Reply::status(429).header("Retry-After", "7"),
        Duration::from_secs(5),
    );
    assert_eq!(retry_after(&d), Some(Duration::from_secs(7)));
    assert!(matches!(
        d,
        Delivery::Retry {
            status: Some(429),
            ..
        }
    ));
}

#[test]
fn too_many_requests_with_http_date() {
    // NOW + 30 s as an IMF-fixdate.
    let (d, _rx) = attempt(
        "slack",
        Reply::status(429).header("Retry-After", "Fri, 15 Jan 2027 08:00:30 GMT"),
        Duration::from_secs(5),
    );
    assert_eq!(retry_after(&d), Some(Duration::from_secs(30)));
}

#[test]
fn discord_retry_after_body() {
    let (d, _rx) = attempt(
        "discord",
        Reply::status(429)
            .header("Content-Type", "application/json")
            .body(r#"{"message": "You are being rate limited.", "retry_after": 1.5, "global": false}"#),
        Duration::from_secs(5),
    );
    assert_eq!(retry_after(&d), Some(Duration::from_millis(1500)));
}

#[test]
fn sentry_rate_limits() {
    let (d, _rx) = attempt("sentry", Reply::status(429), Duration::from_secs(5));
    assert_eq!(retry_after(&d), Some(Duration::from_secs(60)));
    let (d, _rx) = attempt(
        "sentry",
        Reply::status(429).header("Retry-After", "10").header(
            "X-Sentry-Rate-Limits",
            "42:error;default:organization:quota, 5::key",
        ),
        Duration::from_secs(5),
    );
    assert_eq!(retry_after(&d), Some(Duration::from_secs(42)));
}

#[test]
fn slow_answer_times_out_and_retries() {
    let started = Instant::now();
    let (d, rx) = attempt(
        "slack",
        Reply::delay(Duration::from_secs(3)),
        Duration::from_millis(400),
    );
    let took = started.elapsed();
    assert!(took < Duration::from_millis(2500), "{took:?}");
    assert!(
        matches!(&d, Delivery::Retry { status: None, error, .. } if error.contains("within")),
        "{d:?}"
    );
    assert_eq!(rx.requests().len(), 1);
}

#[test]
fn hang_up_retries() {
    let (d, _rx) = attempt("slack", Reply::hang_up(), Duration::from_secs(5));
    assert!(matches!(d, Delivery::Retry { status: None, .. }), "{d:?}");
}

#[test]
fn connection_refused_retries() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let (_dir, r) = target("slack", &format!("http://127.0.0.1:{port}"));
    let d = send(&r, &notification(), &opts(Duration::from_secs(5)));
    check_no_secret(&d);
    assert!(
        matches!(&d, Delivery::Retry { status: None, error, after: None } if error.contains("refused") && error.contains(&format!("http://127.0.0.1:{port}"))),
        "{d:?}"
    );
}

#[test]
fn client_errors_are_permanent() {
    let (d, _rx) = attempt(
        "slack",
        Reply::status(400).body("invalid_payload"),
        Duration::from_secs(5),
    );
    assert!(
        matches!(&d, Delivery::Permanent { status: Some(400), error } if error.contains("invalid_payload")),
        "{d:?}"
    );
    for (status, body) in [
        (404, "no_service"),
        (410, "channel_is_archived"),
        (403, "action_prohibited"),
    ] {
        let (d, _rx) = attempt(
            "slack",
            Reply::status(status).body(body),
            Duration::from_secs(5),
        );
        assert!(
            matches!(&d, Delivery::Permanent { status: Some(s), error } if *s == status && error.contains(body)),
            "{d:?}"
        );
    }
    let (d, _rx) = attempt(
        "discord",
        Reply::status(404).body(r#"{"message": "Unknown Webhook", "code": 10015}"#),
        Duration::from_secs(5),
    );
    assert!(
        matches!(&d, Delivery::Permanent { status: Some(404), error } if error.contains("Unknown Webhook")),
        "{d:?}"
    );
}

#[test]
fn redirects_are_permanent_and_not_followed() {
    let rx = Receiver::start(Plan::always(200, "ok"));
    rx.set_plan(
        Plan::always(200, "ok").then(
            Reply::status(302).header("Location", &format!("{}/elsewhere/SECRETLOC", rx.url())),
        ),
    );
    let (_dir, r) = target("slack", &rx.url());
    let d = send(&r, &notification(), &opts(Duration::from_secs(5)));
    check_no_secret(&d);
    assert!(
        matches!(&d, Delivery::Permanent { status: Some(302), error } if error.contains("redirect") && !error.contains("SECRETLOC")),
        "{d:?}"
    );
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(rx.requests().len(), 1);
}

#[test]
fn answers_are_scrubbed() {
    let (d, _rx) = attempt(
        "slack",
        Reply::status(400).body(format!("bad token {LEAKED}")),
        Duration::from_secs(5),
    );
    assert!(!format!("{d:?}").contains(LEAKED), "{d:?}");
}

#[test]
fn keep_alive_receiver_serves_several_attempts() {
    let rx = Receiver::start(Plan::always(200, "ok").then(Reply::status(500)).times(3));
    let (_dir, r) = target("slack", &rx.url());
    let got: Vec<bool> = (0..4)
        .map(|_| {
            matches!(
                send(&r, &notification(), &opts(Duration::from_secs(5))),
                Delivery::Retry { .. }
            )
        })
        .collect();
    assert_eq!(got, [true, true, true, false]);
}
