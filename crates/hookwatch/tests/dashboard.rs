//! `hookwatch serve` in a real browser (Debian's chromium through
//! chromedriver) on a store filled through the real hook path, and its
//! security over raw HTTP. Screenshots of every page go to
//! target/test-artifacts/dashboard/.

mod common;
#[path = "common/web.rs"]
mod web;

use common::Home;
use serde_json::{json, Value};
use std::process::{Child, Stdio};
use std::time::Duration;
use web::{http, Browser};

/// Secrets planted in the second project's failure; none may be served.
const SECRETS: &[&str] = &[
    "ghp_R8dKq2LmZx7VbN4cT1wYpH6sJ3eF9gA0uQiO",
    "AKIAZ7QW3ERT5YUI9OPA",
    "Hunter2-Tr0ub4dor-Secret",
    "xoxb-2048751231-4827362810-Gh7TkL0mNq2RsW5vYz8BcD1f",
];

fn hook(home: &Home, ev: Value) {
    let out = home.hook(ev.to_string().as_bytes());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn event(session: &str, cwd: &str, name: &str, extra: Value) -> Value {
    let mut v = json!({"session_id": session, "transcript_path": "/t.jsonl", "cwd": cwd,
                       "hook_event_name": name, "permission_mode": "default"});
    v.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    v
}

/// The demo's session in /work/shop (13 events: 4 tool calls, 3 failures,
/// a guard block, a StopFailure) and a session in /work/api (2 calls, one
/// failure with secrets in it), all through `hookwatch hook`.
fn seed(home: &Home) {
    let out = home.run(&["demo", "--home", home.path().to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (i, cmd) in ["cargo build", "cargo clippy"].iter().enumerate() {
        hook(
            home,
            event(
                "api-1",
                "/work/api",
                "PostToolUse",
                json!({"tool_name": "Bash", "tool_input": {"command": cmd}, "tool_use_id": format!("toolu_a{i}"), "tool_response": {"stdout": "ok"}}),
            ),
        );
    }
    let error = format!(
        "Exit code 1\nGITHUB_TOKEN={} AWS_ACCESS_KEY_ID={} ./deploy.sh\npsql: password={} failed\ncurl -X POST -H 'Authorization: Bearer {}'\nError: connect ECONNREFUSED 10.0.0.7:5432",
        SECRETS[0], SECRETS[1], SECRETS[2], SECRETS[3]
    );
    hook(
        home,
        event(
            "api-1",
            "/work/api",
            "PostToolUseFailure",
            json!({"tool_name": "Bash", "tool_input": {"command": "./deploy.sh"}, "tool_use_id": "toolu_a3", "error": error, "is_interrupt": false, "duration_ms": 912}),
        ),
    );
    assert!(home.run(&["ingest"]).status.success());
}

struct Served {
    child: Child,
    port: u16,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(home: &Home, extra: &[&str]) -> Served {
    let port = web::free_port();
    let child = home
        .cmd()
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    web::wait_listening(port, Duration::from_secs(20));
    Served { child, port }
}

fn no_console_errors(b: &Browser, page: &str) {
    let errors = b.console_errors();
    assert!(errors.is_empty(), "{page}: console errors {errors:?}");
}

#[test]
fn the_dashboard_shows_what_was_recorded_live_and_acts_like_the_cli() {
    let home = Home::new();
    seed(&home);
    let s = serve(&home, &[]);
    let base = format!("http://127.0.0.1:{}", s.port);
    let shots = web::artifacts("dashboard");
    let b = Browser::start();

    // Overview: the seeded counts, read from the page.
    b.goto(&format!("{base}/?range=all"));
    no_console_errors(&b, "overview");
    let figures = |b: &Browser| {
        [
            "events",
            "tool-calls",
            "failures",
            "sessions",
            "stop-failures",
            "guard-blocks",
        ]
        .map(|f| b.figure(f).parse::<i64>().unwrap())
    };
    assert_eq!(figures(&b), [16, 7, 4, 2, 1, 1]);
    assert_eq!(
        b.text("[data-table=tools] tr[data-key=Bash] [data-failures]"),
        "4"
    );
    b.screenshot(&shots.join("overview.png"));

    // A filter changes the numbers and lives in the URL.
    b.select("select[name=project]", "/work/api");
    b.wait_for(Duration::from_secs(10), "the project filter applies", |b| {
        b.js("return location.search")
            .as_str()
            .unwrap_or("")
            .contains("project=%2Fwork%2Fapi")
    });
    no_console_errors(&b, "overview, filtered");
    assert_eq!(figures(&b), [3, 3, 1, 1, 0, 0]);
    b.screenshot(&shots.join("overview-project.png"));
    b.goto(&format!("{base}/?range=all&class=test"));
    assert_eq!(b.figure("failures"), "1");

    // Live: an event the hook records shows up without a reload.
    b.goto(&format!("{base}/?range=all"));
    b.js("window.__sameDocument = true; return 1");
    hook(
        &home,
        event(
            "api-1",
            "/work/api",
            "PostToolUseFailure",
            json!({"tool_name": "Bash", "tool_input": {"command": "npm test"}, "tool_use_id": "toolu_live", "error": "Tests: 2 failed, 10 passed", "is_interrupt": false}),
        ),
    );
    let took = b.wait_for(
        Duration::from_secs(2),
        "the new event appears within 2 s of the hook",
        |b| b.figure("events") == "17",
    );
    assert_eq!(
        b.js("return window.__sameDocument === true"),
        json!(true),
        "the page reloaded"
    );
    assert_eq!(b.figure("failures"), "5");
    eprintln!("live update {took:?} after the hook");
    no_console_errors(&b, "overview, live");

    // Sessions and the timeline: failure, advice and guard block in order.
    b.goto(&format!("{base}/sessions?range=all"));
    no_console_errors(&b, "sessions");
    assert_eq!(b.js("return document.querySelectorAll('[data-table=sessions] tbody tr[data-session]').length"), json!(2));
    b.screenshot(&shots.join("sessions.png"));
    let shop = b.js("return [...document.querySelectorAll('tr[data-session]')].find(r => r.textContent.includes('/work/shop')).dataset.session");
    b.click(&format!("tr[data-session={}] a", shop));
    b.wait_for(Duration::from_secs(10), "the session page", |b| {
        b.js("return location.pathname")
            .as_str()
            .unwrap_or("")
            .starts_with("/session/")
    });
    no_console_errors(&b, "session");
    let order = b.js(
        "const rows = [...document.querySelectorAll('[data-table=timeline] tbody tr')];
         const at = f => rows.findIndex(f);
         return [at(r => r.classList.contains('failure') && r.querySelector('[data-class]')),
                 at(r => r.classList.contains('blocked') && r.querySelector('[data-guard]')),
                 at(r => r.querySelector('[data-advice]')),
                 at(r => r.classList.contains('stopfailure'))];",
    );
    let order: Vec<i64> = serde_json::from_value(order).unwrap();
    assert!(
        order.iter().all(|&i| i >= 0),
        "timeline rows missing: {order:?}"
    );
    assert!(
        order[0] < order[1] && order[1] < order[2] && order[2] < order[3],
        "out of order: {order:?}"
    );
    assert!(b.text("[data-advice]").contains("git-non-fast-forward"));
    b.screenshot(&shots.join("session.png"));

    // A failure across sessions, then one event.
    b.click("tr.failure a.tag");
    b.wait_for(Duration::from_secs(10), "the fingerprint page", |b| {
        b.js("return location.pathname")
            .as_str()
            .unwrap_or("")
            .starts_with("/fingerprint/")
    });
    no_console_errors(&b, "fingerprint");
    assert_eq!(b.figure("count"), "1");
    b.screenshot(&shots.join("fingerprint.png"));
    b.click("table.timeline tbody tr td a");
    b.wait_for(Duration::from_secs(10), "the event page", |b| {
        b.js("return location.pathname")
            .as_str()
            .unwrap_or("")
            .starts_with("/event/")
    });
    no_console_errors(&b, "event");
    assert!(b.text("[data-payload]").contains("tool_name"));
    b.screenshot(&shots.join("event.png"));

    // Search finds a seeded error.
    b.goto(&format!("{base}/search?range=all"));
    b.type_into("input[name=q]", "ECONNREFUSED");
    b.click("form.search button");
    b.wait_for(Duration::from_secs(10), "search results", |b| {
        b.js("return document.querySelector('[data-figure=hits]') !== null") == json!(true)
    });
    no_console_errors(&b, "search");
    assert_eq!(
        b.figure("hits"),
        "2",
        "the demo's and the API project's ECONNREFUSED"
    );
    b.screenshot(&shots.join("search.png"));

    // A silence added in the page is the CLI's silence.
    b.goto(&format!("{base}/alerts"));
    no_console_errors(&b, "alerts");
    b.type_into(
        "form[data-form=silence] input[name=matchers]",
        "tool=Bash project=/work/api",
    );
    b.type_into(
        "form[data-form=silence] input[name=comment]",
        "deploy key rotation in progress",
    );
    b.click("form[data-form=silence] button");
    b.wait_for(Duration::from_secs(10), "the silence is listed", |b| {
        b.js("return document.querySelectorAll('[data-table=silences] tr[data-silence]').length")
            == json!(1)
    });
    no_console_errors(&b, "alerts after adding a silence");
    b.screenshot(&shots.join("alerts.png"));
    let out = home.run(&["silence", "list", "--json"]);
    let listed: Vec<Value> = common::json_lines(&out);
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["comment"], "deploy key rotation in progress");
    assert_eq!(
        listed[0]["matchers"],
        json!(["tool=Bash", "project=/work/api"])
    );
    // And expired from the page, as `hookwatch silence expire` would.
    b.click("[data-table=silences] tr[data-silence] form button");
    b.wait_for(Duration::from_secs(10), "the silence is gone", |b| {
        b.js("return document.querySelectorAll('[data-table=silences] tr[data-silence]').length")
            == json!(0)
    });
    assert!(common::json_lines(&home.run(&["silence", "list", "--json"])).is_empty());
    let all = common::json_lines(&home.run(&["silence", "list", "--all", "--json"]));
    assert_eq!(all[0]["state"], "expired");

    // Not one planted secret in any byte served.
    let mut served = Vec::new();
    let ids: Vec<i64> = home
        .events(&[])
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    let mut paths: Vec<String> = [
        "/",
        "/?range=all",
        "/?range=all&project=%2Fwork%2Fapi",
        "/sessions?range=all",
        "/session/api-1",
        "/search?q=deploy&range=all",
        "/search?q=GITHUB_TOKEN&range=all",
        "/alerts",
        "/assets/app.js",
        "/assets/app.css",
        "/api/overview?range=all",
        "/api/sessions?range=all",
        "/api/session/api-1",
        "/api/search?q=deploy&range=all",
        "/api/alerts",
        "/api/latest",
        "/api/facets",
    ]
    .iter()
    .map(|p| p.to_string())
    .collect();
    for id in ids {
        paths.push(format!("/event/{id}"));
        paths.push(format!("/api/event/{id}"));
    }
    for p in &paths {
        let (status, head, body) = http(s.port, "GET", p, &[], b"");
        assert_eq!(status, 200, "{p}");
        served.extend_from_slice(head.as_bytes());
        served.extend_from_slice(&body);
    }
    let served = String::from_utf8_lossy(&served);
    assert!(
        served.contains("[REDACTED:github-token]"),
        "the failure was served, scrubbed"
    );
    for secret in SECRETS {
        assert!(!served.contains(secret), "{secret} was served");
    }
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

#[test]
fn the_server_refuses_strangers_forgeries_and_writes_when_read_only() {
    let home = Home::new();
    seed(&home);

    // Off loopback without a token: no start.
    let out = home.run(&["serve", "--addr", "0.0.0.0:0"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--token"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // With a token: nothing without it.
    let s = serve(&home, &["--token"]);
    let token_file = home.path().join("serve-token");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&token_file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let token = std::fs::read_to_string(&token_file)
        .unwrap()
        .trim()
        .to_string();
    assert!(token.len() >= 32);
    for (path, headers) in [
        ("/", vec![]),
        ("/api/overview", vec![]),
        ("/", vec![("Authorization", "Bearer wrong")]),
        ("/", vec![("Cookie", "hw_token=wrong")]),
        ("/assets/app.js", vec![]),
    ] {
        let (status, _, body) = http(s.port, "GET", path, &headers, b"");
        assert_eq!(status, 401, "{path} {headers:?}");
        assert!(!String::from_utf8_lossy(&body).contains("/work/shop"));
    }
    let bearer = format!("Bearer {token}");
    let auth = [("Authorization", bearer.as_str())];
    assert_eq!(http(s.port, "GET", "/", &auth, b"").0, 200);
    // The printed URL's `?token=` sets a cookie and leaves the address bar.
    let (status, head, _) = http(
        s.port,
        "GET",
        &format!("/sessions?range=all&token={token}"),
        &[],
        b"",
    );
    assert_eq!(status, 303);
    assert_eq!(header(&head, "Location"), Some("/sessions?range=all"));
    let cookie = header(&head, "Set-Cookie").unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    let cookie = cookie.split(';').next().unwrap().to_string();
    assert_eq!(
        http(s.port, "GET", "/sessions", &[("Cookie", &cookie)], b"").0,
        200
    );

    // DNS rebinding: a name the server was not told about.
    let (status, ..) = http(
        s.port,
        "GET",
        "/",
        &[("Host", &format!("attacker.example:{}", s.port)), auth[0]],
        b"",
    );
    assert_eq!(status, 403);

    // State changes need the page's CSRF token, and same-origin.
    let (_, head, page) = http(s.port, "GET", "/alerts", &auth, b"");
    assert!(
        header(&head, "Access-Control-Allow-Origin").is_none(),
        "no CORS"
    );
    assert!(header(&head, "Content-Security-Policy")
        .unwrap()
        .contains("default-src 'none'"));
    let page = String::from_utf8_lossy(&page);
    let csrf = page
        .split("data-csrf=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(csrf.len(), 32);
    let form = |csrf: &str| format!("matchers=tool%3DBash&duration=1h&comment=flaky&csrf={csrf}");
    let post = |headers: &[(&str, &str)], body: String| {
        let mut h = vec![
            auth[0],
            ("Content-Type", "application/x-www-form-urlencoded"),
        ];
        h.extend_from_slice(headers);
        http(s.port, "POST", "/silences", &h, body.as_bytes()).0
    };
    assert_eq!(
        post(&[], "matchers=tool%3DBash&duration=1h&comment=flaky".into()),
        403,
        "no CSRF token"
    );
    assert_eq!(
        post(&[], form("0123456789abcdef0123456789abcdef")),
        403,
        "wrong CSRF token"
    );
    assert_eq!(
        post(&[("Origin", "http://attacker.example")], form(&csrf)),
        403,
        "cross-origin"
    );
    assert_eq!(
        post(
            &[("Origin", &format!("http://127.0.0.1:{}", s.port))],
            form(&csrf)
        ),
        303
    );
    assert_eq!(
        common::json_lines(&home.run(&["silence", "list", "--json"])).len(),
        1
    );
    // Bad input: a silence without matchers or reason is refused with why.
    let mut h = vec![auth[0]];
    h.push(("Content-Type", "application/x-www-form-urlencoded"));
    let (status, _, body) = http(
        s.port,
        "POST",
        "/silences",
        &h,
        format!("matchers=&comment=&csrf={csrf}").as_bytes(),
    );
    assert_eq!(status, 400);
    assert!(String::from_utf8_lossy(&body).contains("matcher"));
    let (status, ..) = http(s.port, "GET", "/event/not-a-number", &auth, b"");
    assert_eq!(status, 404);
    let (status, ..) = http(s.port, "DELETE", "/", &auth, b"");
    assert_eq!(status, 405);
    let (status, ..) = http(
        s.port,
        "GET",
        "/search?q=%22%20OR%20*%20NEAR(&range=all",
        &auth,
        b"",
    );
    assert_eq!(status, 200, "search text is never FTS syntax");
    drop(s);

    // Read-only: no action, no form.
    let s = serve(&home, &["--read-only"]);
    let (_, _, page) = http(s.port, "GET", "/alerts", &[], b"");
    let page = String::from_utf8_lossy(&page);
    assert!(
        !page.contains("<form method=\"post\""),
        "read-only pages offer no actions"
    );
    let (status, ..) = http(
        s.port,
        "POST",
        "/silences",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        form("x").as_bytes(),
    );
    assert_eq!(status, 403);
}
