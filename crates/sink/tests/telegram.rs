//! The Telegram target: config, the Bot API's answers, and the bot token
//! (part of the URL path) kept out of every message, Debug output and
//! endpoint shown.

mod common;

use common::*;
use hookwatch_sink::{render, resolve, send, Delivery, Rendered, Resolved, TargetConfig};
use hookwatch_testkit::receiver::{Plan, Receiver, Reply};
use serde_json::Value;
use std::time::Duration;

/// The secret half of the token: what must never show.
const TOKEN_SECRET: &str = "AAFq3vX9kLmN2pQrS4tUvW5xYz6AbCdEfGh";

fn err(cfg: &str) -> String {
    match resolve("tg", &config(cfg)) {
        Ok(r) => panic!("expected an error, got {r:?}"),
        Err(e) => {
            assert!(!e.contains(TOKEN_SECRET), "{e}");
            assert!(e.contains("\"tg\""), "names the target: {e}");
            e
        }
    }
}

fn no_token(text: &str) {
    assert!(!text.contains(TOKEN_SECRET), "token in {text}");
    assert!(!text.contains("7012345678:"), "bot id and colon in {text}");
}

fn body_of(r: &Resolved, n: &hookwatch_sink::Notification) -> Value {
    match render(r, n, NOW).unwrap() {
        Rendered::Http { body, .. } => serde_json::from_slice(&body).unwrap(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn config_parses_and_resolves() {
    let dir = tempfile::tempdir().unwrap();
    let token = secret_file(dir.path(), "tok", &format!("{BOT_TOKEN}\n"));
    let cfg = config(&format!(
        "type = \"telegram\"\nbot_token_file = {}\nchat_id = \"@hookwatch_alerts\"\n\
         message_thread_id = 3\nrate_limit = \"20/1m\"\n",
        q(&token)
    ));
    assert_eq!(cfg.kind(), "telegram");
    assert_eq!(cfg.common().rate_limit.as_deref(), Some("20/1m"));
    let TargetConfig::Telegram(c) = &cfg else {
        panic!()
    };
    assert_eq!(c.message_thread_id, Some(3));
    let r = resolve("tg", &cfg).unwrap();
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_eq!(r.endpoint_redacted(), "https://api.telegram.org/…");
    let v = body_of(&r, &attention("done"));
    assert_eq!(v["chat_id"], "@hookwatch_alerts");
    assert_eq!(v["message_thread_id"], 3);
    let Rendered::Http { url, .. } = render(&r, &attention("done"), NOW).unwrap() else {
        panic!()
    };
    assert_eq!(
        url,
        format!("https://api.telegram.org/bot{BOT_TOKEN}/sendMessage")
    );

    // Chat ids as numbers or numeric strings, from the config or the env.
    for (chat, want) in [
        ("chat_id = 123456789", Value::from(123456789)),
        (
            "chat_id = \"-1001234567890\"",
            Value::from(-1001234567890i64),
        ),
    ] {
        let r = resolved(
            "tg",
            &format!(
                "type = \"telegram\"\nbot_token_file = {}\n{chat}\n",
                q(&token)
            ),
        );
        assert_eq!(body_of(&r, &attention("idle"))["chat_id"], want);
    }
    std::env::set_var("HW_TG_TEST_CHAT", " -42 ");
    std::env::set_var("HW_TG_TEST_TOKEN", BOT_TOKEN);
    let r = resolved(
        "tg",
        "type = \"telegram\"\nbot_token_env = \"HW_TG_TEST_TOKEN\"\nchat_id_env = \"HW_TG_TEST_CHAT\"\n\
         api_url = \"http://127.0.0.1:8081/\"\n",
    );
    assert_eq!(body_of(&r, &attention("idle"))["chat_id"], -42);
    assert_eq!(r.endpoint_redacted(), "http://127.0.0.1:8081/…");
    let dbg = format!("{r:?}");
    no_token(&dbg);
    assert!(dbg.contains("telegram"), "{dbg}");
    no_token(&format!(
        "{:?}",
        render(&r, &attention("done"), NOW).unwrap()
    ));
}

#[test]
fn config_errors_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let token = secret_file(dir.path(), "tok", BOT_TOKEN);

    // A literal token is refused, and the error does not repeat it.
    let e = err(&format!(
        "type = \"telegram\"\nbot_token = {}\nchat_id = 1\n",
        q(BOT_TOKEN)
    ));
    assert!(
        e.contains("bot_token_env") && e.contains("bot_token_file") && e.contains("credential"),
        "{e}"
    );
    // Debug of the config hides it too.
    no_token(&format!(
        "{:?}",
        config(&format!(
            "type = \"telegram\"\nbot_token = {}\n",
            q(BOT_TOKEN)
        ))
    ));

    let e = err("type = \"telegram\"\nchat_id = 1\n");
    assert!(
        e.contains("bot_token_env") && e.contains("@BotFather"),
        "{e}"
    );
    let e = err(&format!(
        "type = \"telegram\"\nbot_token_env = \"A\"\nbot_token_file = {}\nchat_id = 1\n",
        q(&token)
    ));
    assert!(e.contains("only one of"), "{e}");
    let bad = secret_file(dir.path(), "bad", &format!("Bearer {TOKEN_SECRET}"));
    let e = err(&format!(
        "type = \"telegram\"\nbot_token_file = {}\nchat_id = 1\n",
        q(&bad)
    ));
    assert!(e.contains("123456789:AAH"), "shows the shape: {e}");

    let with = |rest: &str| {
        format!(
            "type = \"telegram\"\nbot_token_file = {}\n{rest}",
            q(&token)
        )
    };
    let e = err(&with(""));
    assert!(e.contains("chat_id") && e.contains("getUpdates"), "{e}");
    let e = err(&with("chat_id = 1\nchat_id_env = \"X\"\n"));
    assert!(e.contains("only one of chat_id, chat_id_env"), "{e}");
    for chat in ["chat_id = \"my group\"", "chat_id = 0", "chat_id = \"@ab\""] {
        let e = err(&with(&format!("{chat}\n")));
        assert!(e.contains("-1001234567890"), "{chat}: {e}");
    }
    let e = err(&with("chat_id_env = \"HW_TG_TEST_UNSET_CHAT\"\n"));
    assert!(e.contains("HW_TG_TEST_UNSET_CHAT"), "{e}");
    let e = err(&with(&format!(
        "chat_id = 1\napi_url = {}\n",
        q(&format!("https://api.telegram.org/bot{BOT_TOKEN}"))
    )));
    assert!(e.contains("without the token"), "{e}");
    let e = err(&with("chat_id = 1\napi_url = \"ftp://x\"\n"));
    assert!(e.contains("api_url"), "{e}");
    // The format is the sink's business, not the config's.
    let e = toml::from_str::<TargetConfig>(&with("chat_id = 1\nparse_mode = \"Markdown\"\n"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown field `parse_mode`"), "{e}");
}

/// One attempt against a receiver giving `reply`.
fn attempt(reply: Reply) -> Delivery {
    let rx = Receiver::start(Plan::default_reply(reply));
    let dir = tempfile::tempdir().unwrap();
    let r = telegram(dir.path(), &rx.url(), "");
    let d = send(&r, &attention("needs_you"), &opts(Duration::from_secs(5)));
    no_token(&format!("{d:?}"));
    d
}

#[test]
fn answers_are_classified() {
    let d = attempt(Reply::ok(
        r#"{"ok":true,"result":{"message_id":17,"chat":{"id":-1001234567890},"text":"x"}}"#,
    ));
    assert_eq!(
        d,
        Delivery::Delivered {
            status: Some(200),
            answer: "HTTP 200: ok, message_id 17".into()
        }
    );

    // 429: the body's parameters.retry_after, else Retry-After.
    let d = attempt(
        Reply::status(429)
            .header("Retry-After", "3")
            .body(r#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}"#),
    );
    assert!(
        matches!(&d, Delivery::Retry { status: Some(429), after: Some(a), error }
            if *a == Duration::from_secs(7) && error.contains("Too Many Requests: retry after 7")),
        "{d:?}"
    );
    let d = attempt(Reply::status(429).header("Retry-After", "3"));
    assert!(
        matches!(&d, Delivery::Retry { after: Some(a), .. } if *a == Duration::from_secs(3)),
        "{d:?}"
    );
    for status in [500, 502, 503, 408] {
        let d = attempt(
            Reply::status(status)
                .body(r#"{"ok":false,"error_code":502,"description":"Bad Gateway"}"#),
        );
        assert!(
            matches!(&d, Delivery::Retry { status: Some(s), error, .. } if *s == status && error.contains("Bad Gateway")),
            "{d:?}"
        );
    }

    // 4xx: permanent, with Telegram's description and what to do.
    for (status, description, advice) in [
        (400, "Bad Request: chat not found", "check chat_id"),
        (400, "Bad Request: can't parse entities", "Telegram refused"),
        (401, "Unauthorized", "@BotFather"),
        (
            403,
            "Forbidden: bot was blocked by the user",
            "blocked, removed",
        ),
        (404, "Not Found", "check the bot token and api_url"),
    ] {
        let d = attempt(Reply::status(status).body(format!(
            r#"{{"ok":false,"error_code":{status},"description":"{description}"}}"#
        )));
        let Delivery::Permanent { status: s, error } = &d else {
            panic!("{d:?}")
        };
        assert_eq!(*s, Some(status));
        assert!(error.contains(description), "{error}");
        assert!(error.contains(advice), "{error}");
        assert!(error.contains("http://127.0.0.1:"), "{error}");
    }
    let d = attempt(Reply::status(400).body(
        r#"{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1009876543210}}"#,
    ));
    assert!(
        matches!(&d, Delivery::Permanent { error, .. } if error.contains("set chat_id = -1009876543210")),
        "{d:?}"
    );

    // A 200 that is not the Bot API's answer: api_url points elsewhere.
    for body in ["<html>hello</html>", r#"{"ok":false,"description":"nope"}"#] {
        let d = attempt(Reply::ok(body));
        assert!(
            matches!(&d, Delivery::Permanent { status: Some(200), error } if error.contains("api_url")),
            "{d:?}"
        );
    }
}

#[test]
fn the_token_never_shows() {
    // A server that echoes the request path, in a description and in
    // a plain body: the outbox still never stores the token.
    let echo = format!(
        r#"{{"ok":false,"error_code":400,"description":"Bad Request: no route /bot{BOT_TOKEN}/sendMessage"}}"#
    );
    let d = attempt(Reply::status(400).body(echo));
    assert!(matches!(d, Delivery::Permanent { .. }), "{d:?}");
    let d = attempt(Reply::status(502).body(format!("upstream bot{BOT_TOKEN} failed")));
    assert!(matches!(d, Delivery::Retry { .. }), "{d:?}");
    let d = attempt(Reply::ok(format!(
        r#"{{"ok":true,"result":{{"note":"{BOT_TOKEN}"}}}}"#
    )));
    assert!(matches!(d, Delivery::Delivered { .. }), "{d:?}");

    // Network failures name the server, not the path.
    let dir = tempfile::tempdir().unwrap();
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let r = telegram(dir.path(), &format!("http://127.0.0.1:{closed}"), "");
    let d = send(&r, &attention("done"), &opts(Duration::from_secs(5)));
    assert!(matches!(d, Delivery::Retry { .. }), "{d:?}");
    no_token(&format!("{d:?}"));
    let rx = Receiver::start(Plan::default_reply(Reply::hang_up()));
    let r = telegram(dir.path(), &rx.url(), "");
    let d = send(&r, &attention("done"), &opts(Duration::from_secs(5)));
    no_token(&format!("{d:?}"));
    let rx = Receiver::start(Plan::default_reply(Reply::delay(Duration::from_secs(3))));
    let r = telegram(dir.path(), &rx.url(), "");
    let d = send(&r, &attention("done"), &opts(Duration::from_millis(300)));
    assert!(matches!(d, Delivery::Retry { .. }), "{d:?}");
    no_token(&format!("{d:?}"));

    // What a target shows of itself.
    no_token(&r.endpoint_redacted());
    no_token(&format!("{r:?}"));
    no_token(&format!(
        "{:?}",
        render(&r, &attention("done"), NOW).unwrap()
    ));
}

#[test]
fn alerts_render_too() {
    let rx = Receiver::start(Plan::always(
        200,
        r#"{"ok":true,"result":{"message_id":1}}"#,
    ));
    let dir = tempfile::tempdir().unwrap();
    let r = telegram(dir.path(), &rx.url(), "");
    let mut n = notification();
    n.alerts = (1..=9)
        .map(|i| alert(i, &format!("<boom> & {} {LEAKED}", "ü".repeat(3000))))
        .collect();
    let d = send(&r, &n, &opts(Duration::from_secs(5)));
    assert!(matches!(d, Delivery::Delivered { .. }), "{d:?}");
    assert!(rx.wait_for(1, Duration::from_secs(5)));
    let req = rx.requests().pop().unwrap();
    assert_no_secret(&req.body, "telegram alert");
    let v = req.json();
    assert_eq!(v["disable_notification"], false);
    assert_eq!(v["parse_mode"], "HTML");
    let text = v["text"].as_str().unwrap();
    assert_telegram_html(text);
    assert!(
        text.starts_with(
            "<b>Bash failed 3× in myproj: cargo build (missing_dependency)</b>\n\
         Project: myproj · Session: 5f1c2d3e · Count: 27 · Route: default\n\n\
         <b>PostToolUseFailure · Bash · missing_dependency · 3×</b>\n\
         <code>cargo build --release</code>\n<pre>&lt;boom&gt; &amp; üü"
        ),
        "{}",
        &text[..400]
    );
    for i in 5..=9 {
        assert!(
            text.contains(&format!("<code>hookwatch show {i}</code>")),
            "{i}"
        );
    }
    assert!(text.ends_with("(+4 more not shown)"));

    // A test is marked; a resolve note comes silently.
    let mut t = notification();
    t.test = true;
    assert!(body_of(&r, &t)["text"]
        .as_str()
        .unwrap()
        .starts_with("<b>[test] Bash failed"));
    let mut res = notification();
    res.status = hookwatch_sink::Status::Resolved;
    let v = body_of(&r, &res);
    assert_eq!(v["disable_notification"], true);
    assert!(v["text"]
        .as_str()
        .unwrap()
        .starts_with("<b>Resolved: Bash failed"));
    assert!(v.get("message_thread_id").is_none());
}
