//! The live view rendered into ratatui's `TestBackend` and the plain text,
//! on a store made by hookwatch-store and seeded with plain INSERTs (the
//! migration 0008 triggers keep the rollups the overview reads).
//!
//! The full screens are compared with `src/snapshots/*.txt`; after a
//! deliberate change of the layout, `HOOKWATCH_UPDATE_SNAPSHOTS=1 cargo
//! test -p hookwatch-top` writes them again (review the diff). The
//! renders are also left in `target/test-artifacts/` to look at.

use super::*;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use rusqlite::params;
use std::path::{Path, PathBuf};

const NOW: i64 = 1_780_000_000_000_000;
const H: i64 = 3_600_000_000;
const S1: &str = "5e55a000-1111-4000-8000-000000000001";
const S2: &str = "5e55b000-2222-4000-8000-000000000002";
const FP_TEST: &str = "a1b2c3d4e5f60718";
const FP_NET: &str = "ffff0000aaaa1111";

struct Ev<'a> {
    t: i64,
    event: &'a str,
    session: &'a str,
    project: &'a str,
    tool: &'a str,
    mcp: Option<&'a str>,
    class: Option<&'a str>,
    fp: Option<&'a str>,
    error: Option<&'a str>,
    command: &'a str,
}

fn ev<'a>(t: i64, event: &'a str, session: &'a str, project: &'a str, tool: &'a str) -> Ev<'a> {
    Ev {
        t,
        event,
        session,
        project,
        tool,
        mcp: None,
        class: None,
        fp: None,
        error: None,
        command: "ls",
    }
}

/// Project /w/app: Bash 10 calls, 3 failed (30.0 %), Read 4 calls; the MCP
/// server `github` 2 calls, 1 failed (50.0 %). Project /w/api: three
/// StopFailures (rate_limit ×2, overloaded). Two recovery jobs, four
/// notifications (pending, dead, 2 sent), three alerts.
fn seeded() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hookwatch.db");
    drop(hookwatch_store::Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mut evs = Vec::new();
    for i in 0..7 {
        evs.push(ev(NOW - 5 * H + i, "PostToolUse", S1, "/w/app", "Bash"));
    }
    for i in 0..4 {
        evs.push(ev(
            NOW - 5 * H + 10 + i,
            "PostToolUse",
            S1,
            "/w/app",
            "Read",
        ));
    }
    for t in [NOW - 3 * 24 * H, NOW - 2 * H, NOW - 2 * H + 1_000_000] {
        evs.push(Ev {
            class: Some("test"),
            fp: Some(FP_TEST),
            error: Some("error: test failed, to rerun pass `--lib`\nthread 'x' panicked"),
            command: "cargo test --workspace",
            ..ev(t, "PostToolUseFailure", S1, "/w/app", "Bash")
        });
    }
    evs.push(Ev {
        mcp: Some("github"),
        ..ev(
            NOW - 4 * H,
            "PostToolUse",
            S1,
            "/w/app",
            "mcp__github__create_issue",
        )
    });
    evs.push(Ev {
        mcp: Some("github"),
        class: Some("network"),
        fp: Some(FP_NET),
        error: Some("connect ECONNREFUSED 127.0.0.1:443"),
        ..ev(
            NOW - H,
            "PostToolUseFailure",
            S1,
            "/w/app",
            "mcp__github__create_issue",
        )
    });
    for (t, e) in [
        (NOW - 30 * 60_000_000, "rate_limit"),
        (NOW - 20 * 60_000_000, "rate_limit"),
        (NOW - 10 * 60_000_000, "overloaded"),
    ] {
        evs.push(Ev {
            error: Some(e),
            ..ev(t, "StopFailure", S2, "/w/api", "")
        });
    }
    for (i, e) in evs.iter().enumerate() {
        let payload = serde_json::json!({
            "hook_event_name": e.event, "session_id": e.session, "cwd": e.project,
            "tool_name": e.tool,
            "tool_input": {"command": e.command, "env": "GITHUB_TOKEN=[REDACTED:github-token]"},
            "error": e.error,
            "last_assistant_message": e.error.map(|_| "API Error: Request rejected (429) · try again later"),
        });
        let outcome = e.class.map(|c| {
            serde_json::json!({"failure": {"class": c, "rule": "builtin:test", "advice": ["run-one-test"]}})
                .to_string()
        });
        conn.execute(
            "INSERT INTO events (spool_id, time_us, event, session_id, project, cwd, tool_name, mcp_server,
                                 class, fingerprint, error, payload, original_size, outcome, command_head)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 321, ?12, ?13)",
            params![
                format!("s{i}"),
                e.t,
                e.event,
                e.session,
                e.project,
                (!e.tool.is_empty()).then_some(e.tool),
                e.mcp,
                e.class,
                e.fp,
                e.error,
                payload.to_string(),
                outcome,
                e.fp.map(|_| e.command),
            ],
        )
        .unwrap();
    }
    for (state, kind) in [("scheduled", "retryable"), ("succeeded", "retryable")] {
        conn.execute(
            "INSERT INTO recover_jobs (session, event_id, failure_us, project, error_type, kind, state,
                                       attempt, created_us)
             VALUES (?1, 1, ?2, '/w/api', 'rate_limit', ?3, ?4, 1, ?2)",
            params![S2, NOW - 30 * 60_000_000 + (state == "scheduled") as i64, kind, state],
        )
        .unwrap();
    }
    for (i, (state, target)) in [
        ("pending", "team"),
        ("dead", "pager"),
        ("sent", "team"),
        ("sent", "team"),
    ]
    .iter()
    .enumerate()
    {
        conn.execute(
            "INSERT INTO notifications (target, group_key, key, kind, body, state, created_us,
                                        deadline_us, next_attempt_us)
             VALUES (?1, 'g', ?2, 'firing', '{}', ?3, ?4, ?4, ?4)",
            params![target, format!("k{i}"), state, NOW - H],
        )
        .unwrap();
    }
    for (i, state) in ["notified", "notified", "silenced"].iter().enumerate() {
        conn.execute(
            "INSERT INTO alerts (event_id, time_us, routed_us, route, group_key, target, fingerprint,
                                 labels, state)
             VALUES (?1, ?2, ?2, 'default', 'g', 'team', ?3, '{}', ?4)",
            params![i as i64 + 12, NOW - H, FP_TEST, state],
        )
        .unwrap();
    }
    (dir, path)
}

fn week() -> Filter {
    Filter {
        range: hookwatch_view::Range::parse("7d").unwrap(),
        ..Filter::default()
    }
}

fn key(app: &mut App, view: &View, code: KeyCode) {
    app.on_key(KeyEvent::new(code, KeyModifiers::NONE), view, NOW);
    if app.stale {
        app.reload(view, NOW);
    }
}

fn screen(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| draw(f, app)).unwrap();
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        let line: String = (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn artifacts() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = target.join("test-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `got` equals `src/snapshots/<name>`; also kept as an artifact.
fn snapshot(name: &str, got: &str) {
    std::fs::write(artifacts().join(format!("top-{name}")), got).unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/snapshots")
        .join(name);
    if std::env::var_os("HOOKWATCH_UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        want == got,
        "{name} differs from {} (HOOKWATCH_UPDATE_SNAPSHOTS=1 rewrites it):\n--- want\n{want}\n--- got\n{got}",
        path.display()
    );
}

fn seeded_app() -> (tempfile::TempDir, View, App) {
    let (dir, path) = seeded();
    let view = View::open(&path).unwrap();
    let mut app = App::new(week());
    app.reload(&view, NOW);
    assert!(app.status.is_none(), "{:?}", app.status);
    (dir, view, app)
}

/// The line holding `what`, for assertions on one row.
fn line_with<'a>(screen: &'a str, what: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(what))
        .unwrap_or_else(|| panic!("no line with {what:?} in\n{screen}"))
}

#[test]
fn main_screen_shows_the_seeded_figures() {
    let (_d, _view, app) = seeded_app();
    let s = screen(&app, 140, 42);
    snapshot("main-140x42.txt", &s);
    assert!(
        s.contains("events 19 · tool calls 16 · failures 4 (25.0 %) · sessions 2 · StopFailures 3")
    );
    // Per tool and per MCP server: calls, failures, rate.
    let bash = line_with(&s, "│Bash ");
    for figure in ["10", "3", "30.0 %"] {
        assert!(bash.contains(figure), "{bash}");
    }
    assert!(line_with(&s, "│Read ").contains("0 %"));
    let github = line_with(&s, "│github");
    assert!(
        github.contains(" 2 ") && github.contains("50.0 %"),
        "{github}"
    );
    // Top failures: count, trend, class, fingerprint, command.
    let fp = line_with(&s, FP_TEST);
    assert!(fp.contains(" 3 ") && fp.contains("cargo test --workspace") && fp.contains("test"));
    assert!(fp.contains('█') && fp.contains('▁'), "a trend: {fp}");
    // Recent failures, newest first, class and scrubbed error.
    let first = s.find("overloaded").unwrap();
    let net = s.find("connect ECONNREFUSED 127.0.0.1:443").unwrap();
    let test = s
        .find("error: test failed, to rerun pass `--lib` thread")
        .unwrap();
    assert!(first < net && net < test, "newest first");
    // StopFailures by type, recovery jobs, the alert queue.
    assert!(s.contains("    2 rate_limit"));
    assert!(s.contains("1 overloaded"));
    assert!(s.contains("1 scheduled · retryable"));
    assert!(s.contains("notifications: pending 1 · dead 1 · sent 2"));
    assert!(s.contains("1 dead → pager"));
    assert!(s.contains("alerts: notified 2 · silenced 1"));
    assert!(s.contains(" q quit "));
}

#[test]
fn event_pane_shows_the_scrubbed_payload_and_the_answer() {
    let (_d, view, mut app) = seeded_app();
    // Down three times: past the three StopFailures to the MCP failure.
    key(&mut app, &view, KeyCode::Down);
    key(&mut app, &view, KeyCode::Down);
    key(&mut app, &view, KeyCode::Down);
    key(&mut app, &view, KeyCode::Enter);
    let Pane::Event(p) = &app.pane else {
        panic!("Enter opens the event")
    };
    assert_eq!(p.id, 16);
    let s = screen(&app, 100, 30);
    snapshot("event-100x30.txt", &s);
    assert!(s.contains("Event #16"));
    assert!(line_with(&s, "error ").contains("connect ECONNREFUSED 127.0.0.1:443"));
    assert!(line_with(&s, "fingerprint").contains(FP_NET));
    assert!(line_with(&s, "advice").contains("run-one-test"));
    assert!(s.contains("hookwatch's answer"));
    assert!(s.contains("\"class\": \"network\""));

    // The payload is further down: scroll to the end.
    key(&mut app, &view, KeyCode::End);
    let end = screen(&app, 100, 30);
    assert!(end.contains("Payload (scrubbed)") || end.contains("[REDACTED:github-token]"));
    assert!(
        end.contains("GITHUB_TOKEN=[REDACTED:github-token]"),
        "{end}"
    );
    let Pane::Event(p) = &app.pane else { panic!() };
    assert!(p.scroll > 0 && p.scroll == p.max_scroll.get());
    key(&mut app, &view, KeyCode::Esc);
    assert!(matches!(app.pane, Pane::Main) && !app.quit);

    // Tab moves to the top failures; Enter opens the newest occurrence.
    key(&mut app, &view, KeyCode::Tab);
    key(&mut app, &view, KeyCode::Char('o'));
    let Pane::Event(p) = &app.pane else { panic!() };
    assert_eq!(
        p.page.as_ref().unwrap().item.fingerprint.as_deref(),
        Some(FP_TEST)
    );
    assert_eq!(p.id, 14);
}

#[test]
fn the_selection_stays_on_its_failure_as_new_ones_arrive() {
    let (_d, path) = seeded();
    let view = View::open(&path).unwrap();
    let mut app = App::new(week());
    app.reload(&view, NOW);
    key(&mut app, &view, KeyCode::Down);
    assert_eq!(app.selected_event(), Some(18));
    let conn = rusqlite::Connection::open(&path).unwrap();
    let add = |n: i64| {
        conn.execute(
            "INSERT INTO events (spool_id, time_us, event, session_id, project, error, original_size)
             VALUES (?1, ?2, 'StopFailure', 'c', '/w/c', 'overloaded', 1)",
            params![format!("new{n}"), NOW - 100 + n],
        )
        .unwrap()
    };
    add(1);
    app.reload(&view, NOW);
    assert_eq!(app.recent_sel, 2);
    assert_eq!(app.selected_event(), Some(18));
    // On the first row it follows the newest.
    key(&mut app, &view, KeyCode::Home);
    add(2);
    app.reload(&view, NOW);
    assert_eq!(app.selected_event(), Some(21));
}

#[test]
fn keys_filter_by_range_project_and_session() {
    let (_d, view, mut app) = seeded_app();
    let totals = |app: &App| app.snap.as_ref().unwrap().overview.totals.clone();
    key(&mut app, &view, KeyCode::Char('R'));
    assert_eq!(app.filter.range.name(), "24h");
    assert_eq!(totals(&app).failures, 3, "the one of 3 days ago is out");
    key(&mut app, &view, KeyCode::Char('r'));
    key(&mut app, &view, KeyCode::Char('r'));
    assert_eq!(app.filter.range.name(), "30d");

    key(&mut app, &view, KeyCode::Char('p'));
    assert!(matches!(app.pane, Pane::Picker(_)));
    let picker = screen(&app, 100, 30);
    assert!(picker.contains("(all projects)") && picker.contains("/w/api"));
    for c in "API".chars() {
        key(&mut app, &view, KeyCode::Char(c));
    }
    key(&mut app, &view, KeyCode::Enter);
    assert_eq!(app.filter.project.as_deref(), Some("/w/api"));
    assert_eq!(totals(&app).stop_failures, 3);
    assert_eq!(totals(&app).failures, 0);
    assert!(screen(&app, 120, 40).contains("last 30d · project /w/api · all sessions"));

    key(&mut app, &view, KeyCode::Char('x'));
    key(&mut app, &view, KeyCode::Char('s'));
    let picker = screen(&app, 120, 30);
    assert!(picker.contains(S1) && picker.contains(S2), "{picker}");
    // Newest first: session 2 (StopFailures minutes ago) heads the list.
    key(&mut app, &view, KeyCode::Down);
    key(&mut app, &view, KeyCode::Down);
    key(&mut app, &view, KeyCode::Enter);
    assert_eq!(app.filter.session.as_deref(), Some(S1));
    assert_eq!(totals(&app).failures, 4);
    assert_eq!(totals(&app).stop_failures, 0);

    // Esc leaves a picker without changing anything, then quits.
    key(&mut app, &view, KeyCode::Char('p'));
    key(&mut app, &view, KeyCode::Esc);
    assert_eq!(app.filter.session.as_deref(), Some(S1));
    assert!(!app.quit);
    key(&mut app, &view, KeyCode::Char('?'));
    assert!(screen(&app, 120, 40).contains("next / previous time range"));
    key(&mut app, &view, KeyCode::Char('q'));
    assert!(app.quit);
}

#[test]
fn small_terminals_render_without_panicking() {
    let (_d, view, mut app) = seeded_app();
    let sizes = [
        (0, 0),
        (1, 1),
        (20, 5),
        (39, 9),
        (40, 10),
        (45, 12),
        (60, 16),
        (80, 24),
        (250, 80),
    ];
    let tiny = screen(&app, 20, 5);
    assert!(tiny.contains("hookwatch top"), "{tiny}");
    assert!(tiny.contains("failures 4/16"), "{tiny}");
    let check = |app: &App| {
        for (w, h) in sizes {
            screen(app, w, h);
        }
    };
    check(&app);
    app.help = true;
    check(&app);
    key(&mut app, &view, KeyCode::Enter);
    check(&app);
    key(&mut app, &view, KeyCode::End);
    check(&app);
    key(&mut app, &view, KeyCode::Esc);
    key(&mut app, &view, KeyCode::Char('s'));
    check(&app);
    // 80x24, the classic terminal: every section is there.
    key(&mut app, &view, KeyCode::Esc);
    app.help = false;
    let s = screen(&app, 80, 24);
    snapshot("main-80x24.txt", &s);
    for title in [
        "Failure rate per tool",
        "Top failures",
        "Recent failures",
        "StopFailures",
        "Alert queue",
    ] {
        assert!(s.contains(title), "{title} missing at 80x24:\n{s}");
    }
}

#[test]
fn a_failed_read_keeps_the_figures_and_says_why() {
    let (_d, view, mut app) = seeded_app();
    app.status = Some("database is locked".into());
    let s = screen(&app, 60, 20);
    assert!(line_with(&s, "hookwatch top").contains("database is locked"));
    app.reload(&view, NOW);
    assert!(app.status.is_none());
}

#[test]
fn an_empty_store_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hookwatch.db");
    drop(hookwatch_store::Store::open(&path).unwrap());
    let view = View::open(&path).unwrap();
    let mut app = App::new(week());
    app.reload(&view, NOW);
    key(&mut app, &view, KeyCode::Enter);
    key(&mut app, &view, KeyCode::Down);
    assert!(matches!(app.pane, Pane::Main));
    let s = screen(&app, 100, 30);
    assert!(s.contains("no failures in this range"));
    assert!(s.contains("events 0 · tool calls 0 · failures 0 (0 %)"));
    let t = text(&view, &week(), NOW).unwrap();
    assert!(t.contains("Recent failures (newest first)\n  no failures in this range\n"));
}

#[test]
fn plain_text_has_every_figure_and_no_escape_codes() {
    let (_d, path) = seeded();
    let view = View::open(&path).unwrap();
    let t = text(&view, &week(), NOW).unwrap();
    snapshot("once.txt", &t);
    assert!(!t.contains('\x1b'));
    assert!(t.lines().all(|l| l == l.trim_end()));
    assert!(t.starts_with("hookwatch top · last 7d · all projects · all sessions\n"));
    let words = |first: &str| -> Vec<String> {
        line_with(&t, &format!("  {first} "))
            .split_whitespace()
            .map(str::to_string)
            .collect()
    };
    assert_eq!(words("Bash")[..5], ["Bash", "10", "3", "30.0", "%"]);
    assert_eq!(words("github"), ["github", "2", "1", "50.0", "%"]);
    assert!(t.contains(FP_TEST) && t.contains("cargo test --workspace"));
    assert!(t.contains("  rate_limit      2\n"), "{t}");
    assert!(t.contains("notifications: pending 1 · dead 1 · sent 2"));
    let json: serde_json::Value =
        serde_json::from_str(&json(&view, &week(), NOW).unwrap()).unwrap();
    assert_eq!(json["overview"]["totals"]["failures"], 4);
    assert_eq!(json["recent_failures"][0]["item"]["error"], "overloaded");
}
