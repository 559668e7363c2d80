use super::*;
use rusqlite::params;

const NOW: i64 = 1_780_000_000_000_000;
const H: i64 = filter::HOUR_US;

/// A store made by hookwatch-store (all migrations), seeded with plain
/// inserts: the triggers under test keep the views.
fn seeded() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hookwatch.db");
    drop(hookwatch_store::Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mut id = 0;
    let mut add = |t: i64,
                   event: &str,
                   session: &str,
                   project: &str,
                   tool: &str,
                   class: Option<&str>,
                   fp: Option<&str>,
                   guard: Option<&str>,
                   error: Option<&str>| {
        id += 1;
        let payload = serde_json::json!({
            "hook_event_name": event, "session_id": session, "tool_name": tool,
            "tool_input": {"command": format!("cargo test --package p{id}")},
        });
        let outcome = guard.map(|g| serde_json::json!({"guard": {"decision": g, "policy": "destructive", "reason": "rm -rf /"}}).to_string())
            .or_else(|| class.map(|c| serde_json::json!({"failure": {"class": c, "rule": "builtin:test", "advice": ["test-hint"]}}).to_string()));
        conn.execute(
            "INSERT INTO events (spool_id, time_us, event, session_id, project, tool_name, class, fingerprint,
                                 guard_decision, error, payload, original_size, outcome)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 10, ?12)",
            params![format!("s{id}"), t, event, session, project, tool, class, fp, guard, error, payload.to_string(), outcome],
        )
        .unwrap();
    };
    // Session a, project /w/app, two hours ago: 3 Bash calls, 2 failed.
    for i in 0..3 {
        add(
            NOW - 2 * H + i,
            "PostToolUse",
            "a",
            "/w/app",
            "Bash",
            None,
            None,
            None,
            None,
        );
    }
    add(
        NOW - 2 * H + 10,
        "PostToolUseFailure",
        "a",
        "/w/app",
        "Bash",
        Some("test"),
        Some("fp1"),
        None,
        Some("error: test failed, to rerun pass --lib"),
    );
    add(
        NOW - 2 * H + 11,
        "PostToolUseFailure",
        "a",
        "/w/app",
        "Bash",
        Some("test"),
        Some("fp1"),
        None,
        Some("error: test failed, to rerun pass --lib"),
    );
    add(
        NOW - 2 * H + 12,
        "PreToolUse",
        "a",
        "/w/app",
        "Bash",
        None,
        None,
        Some("deny"),
        None,
    );
    // Session b, project /w/api, ten days ago: an MCP failure and a StopFailure.
    add(
        NOW - 10 * 24 * H,
        "PostToolUseFailure",
        "b",
        "/w/api",
        "mcp__github__create_issue",
        Some("network"),
        Some("fp2"),
        None,
        Some("connect ECONNREFUSED"),
    );
    add(
        NOW - 10 * 24 * H + 1,
        "StopFailure",
        "b",
        "/w/api",
        "",
        None,
        None,
        None,
        Some("rate_limit"),
    );
    (dir, path)
}

fn filter(range: &str) -> Filter {
    Filter {
        range: Range::parse(range).unwrap(),
        ..Filter::default()
    }
}

#[test]
fn overview_counts_what_was_stored() {
    let (_d, path) = seeded();
    let v = View::open(&path).unwrap();
    let o = v.overview(&filter("7d"), Stack::Class, None, NOW).unwrap();
    assert_eq!(o.totals.events, 6);
    assert_eq!(o.totals.tool_calls, 5);
    assert_eq!(o.totals.failures, 2);
    assert_eq!(o.totals.sessions, 1);
    assert_eq!(o.totals.guard_blocks, 1);
    assert_eq!(
        o.per_tool,
        vec![Rate {
            key: "Bash".into(),
            calls: 5,
            failures: 2
        }]
    );
    assert_eq!(o.series.iter().map(|p| p.count).sum::<i64>(), 2);
    assert_eq!(o.series[0].key, "test");
    assert_eq!(o.top_fingerprints[0].fingerprint, "fp1");
    assert_eq!(o.top_fingerprints[0].count, 2);
    assert_eq!(o.top_fingerprints[0].trend.iter().sum::<i64>(), 2);
    assert_eq!(o.guard[0].key, "deny");
    assert_eq!(o.guard[0].detail, "destructive");

    let all = v.overview(&filter("all"), Stack::Tool, None, NOW).unwrap();
    assert_eq!(all.totals.events, 8);
    assert_eq!(all.totals.stop_failures, 1);
    assert_eq!(
        all.per_mcp_server.len(),
        0,
        "mcp_server was not set on the seeded rows"
    );
    assert_eq!(all.stop_failures[0].key, "rate_limit");
    assert!(all.buckets.len() >= 10 && all.bucket == Bucket::Day);

    // Filters narrow every figure.
    let f = Filter {
        project: Some("/w/api".into()),
        ..filter("all")
    };
    let o = v.overview(&f, Stack::Class, None, NOW).unwrap();
    assert_eq!((o.totals.events, o.totals.failures), (2, 1));
    let f = Filter {
        session: Some("a".into()),
        ..filter("all")
    };
    let o = v.overview(&f, Stack::Class, None, NOW).unwrap();
    assert_eq!((o.totals.events, o.totals.failures), (6, 2));
    let f = Filter {
        class: Some("network".into()),
        ..filter("all")
    };
    assert_eq!(
        v.overview(&f, Stack::Class, None, NOW)
            .unwrap()
            .totals
            .failures,
        1
    );
}

#[test]
fn sessions_timeline_fingerprint_event_and_search() {
    let (_d, path) = seeded();
    let v = View::open(&path).unwrap();
    let s = v.sessions(&filter("all"), NOW, 50, 0).unwrap();
    assert_eq!(
        s.iter().map(|s| s.session_id.as_str()).collect::<Vec<_>>(),
        ["a", "b"]
    );
    assert_eq!(
        (s[0].tool_calls, s[0].failures, s[0].guard_blocks),
        (5, 2, 1)
    );
    assert_eq!(s[1].stop_failures, 1);

    let t = v.timeline("a").unwrap();
    assert_eq!(t.items.len(), 6);
    let failure = t
        .items
        .iter()
        .find(|i| i.event == "PostToolUseFailure")
        .unwrap();
    assert_eq!(failure.advice, ["test-hint"]);
    let block = t.items.last().unwrap();
    assert_eq!(block.guard_decision.as_deref(), Some("deny"));
    assert_eq!(block.guard_reason.as_deref(), Some("rm -rf /"));

    let fp = v.fingerprint("fp1").unwrap().unwrap();
    assert_eq!((fp.count, fp.sessions), (2, 1));
    assert_eq!(fp.rule.as_deref(), Some("builtin:test"));
    assert!(v.fingerprint("nope").unwrap().is_none());

    let hits = v.search("rerun", &filter("all"), NOW, 10).unwrap();
    assert_eq!(hits.len(), 2);
    let hits = v.search("ECONNREF", &filter("all"), NOW, 10).unwrap();
    assert_eq!(hits.len(), 1);
    let f = Filter {
        project: Some("/w/app".into()),
        ..filter("all")
    };
    assert!(v.search("ECONNREF", &f, NOW, 10).unwrap().is_empty());
    assert!(v.search("\" OR *", &filter("all"), NOW, 10).is_ok());

    let e = v.event(hits_id(&v)).unwrap().unwrap();
    assert!(e.payload.contains("cargo test"));
    assert!(v.event(999).unwrap().is_none());
}

#[test]
fn recent_failures_are_newest_first_and_filtered() {
    let (_d, path) = seeded();
    let v = View::open(&path).unwrap();
    let all = v.recent_failures(&filter("all"), NOW, 10).unwrap();
    assert_eq!(
        all.iter()
            .map(|h| (h.item.id, h.item.event.as_str()))
            .collect::<Vec<_>>(),
        [
            (5, "PostToolUseFailure"),
            (4, "PostToolUseFailure"),
            (8, "StopFailure"),
            (7, "PostToolUseFailure")
        ]
    );
    assert_eq!(all[0].item.class.as_deref(), Some("test"));
    assert_eq!(
        all[0].item.error.as_deref(),
        Some("error: test failed, to rerun pass --lib")
    );
    assert_eq!(all[0].session_id.as_deref(), Some("a"));
    assert_eq!(all[2].item.error.as_deref(), Some("rate_limit"));
    // The range, a project, a session and the limit narrow it.
    assert_eq!(v.recent_failures(&filter("7d"), NOW, 10).unwrap().len(), 2);
    let f = Filter {
        project: Some("/w/api".into()),
        ..filter("all")
    };
    assert_eq!(v.recent_failures(&f, NOW, 10).unwrap().len(), 2);
    let f = Filter {
        session: Some("a".into()),
        ..filter("all")
    };
    assert_eq!(v.recent_failures(&f, NOW, 10).unwrap().len(), 2);
    assert_eq!(v.recent_failures(&filter("all"), NOW, 1).unwrap().len(), 1);
}

fn hits_id(v: &View) -> i64 {
    v.search("ECONNREFUSED", &filter("all"), NOW, 1).unwrap()[0]
        .item
        .id
}

/// The views stay what a recount from the events gives, through inserts,
/// class changes (backfill, recovery), text changes (rescrub) and deletes
/// (retention).
#[test]
fn triggers_keep_the_views_equal_to_a_recount() {
    let (_d, path) = seeded();
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE events SET class = 'network', fingerprint = 'fp3' WHERE id = 4",
        [],
    )
    .unwrap();
    conn.execute(
        "UPDATE events SET error = 'connection reset' WHERE id = 5",
        [],
    )
    .unwrap();
    conn.execute("DELETE FROM events WHERE id IN (1, 7)", [])
        .unwrap();
    let recount = |sql: &str| -> Vec<(String, i64)> {
        let mut s = conn.prepare(sql).unwrap();
        s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    };
    assert_eq!(
        recount("SELECT hour_us || event || project || tool || mcp_server || class, n FROM rollup_hour ORDER BY 1"),
        recount(
            "SELECT (time_us - time_us % 3600000000) || event || coalesce(project, '') || coalesce(tool_name, '')
                    || coalesce(mcp_server, '') || coalesce(class, ''), count(*)
             FROM events GROUP BY 1 ORDER BY 1"
        )
    );
    assert_eq!(
        recount("SELECT day_us || event || project || tool || mcp_server || class, n FROM rollup_day ORDER BY 1"),
        recount(
            "SELECT (time_us - time_us % 86400000000) || event || coalesce(project, '') || coalesce(tool_name, '')
                    || coalesce(mcp_server, '') || coalesce(class, ''), count(*)
             FROM events GROUP BY 1 ORDER BY 1"
        )
    );
    assert_eq!(
        recount("SELECT event || project || tool || mcp_server || class, n FROM rollup_total ORDER BY 1"),
        recount(
            "SELECT event || coalesce(project, '') || coalesce(tool_name, '') || coalesce(mcp_server, '')
                    || coalesce(class, ''), count(*)
             FROM events GROUP BY 1 ORDER BY 1"
        )
    );
    assert_eq!(
        recount("SELECT fingerprint || day_us || class, n FROM rollup_fingerprint_day ORDER BY 1"),
        recount(
            "SELECT fingerprint || (time_us - time_us % 86400000000) || coalesce(class, ''), count(*)
             FROM events WHERE event = 'PostToolUseFailure' GROUP BY 1 ORDER BY 1"
        )
    );
    assert_eq!(
        recount("SELECT session_id || first_us || last_us || tool_calls || failures, events FROM session_summary ORDER BY 1"),
        recount(
            "SELECT session_id || min(time_us) || max(time_us) || sum(event IN ('PostToolUse','PostToolUseFailure'))
                    || sum(event = 'PostToolUseFailure'), count(*)
             FROM events GROUP BY session_id ORDER BY 1"
        )
    );
    let v = View::open(&path).unwrap();
    assert!(v.search("rerun", &filter("all"), NOW, 10).unwrap().len() == 1);
    assert!(v.search("reset", &filter("all"), NOW, 10).unwrap().len() == 1);
    assert!(v
        .search("ECONNREFUSED", &filter("all"), NOW, 10)
        .unwrap()
        .is_empty());
}

#[test]
fn a_missing_or_old_database_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.db");
    assert!(matches!(View::open(&missing), Err(ViewError::Missing(_))));
    let old = dir.path().join("old.db");
    rusqlite::Connection::open(&old)
        .unwrap()
        .execute("CREATE TABLE events (id INTEGER)", [])
        .unwrap();
    assert!(matches!(View::open(&old), Err(ViewError::Old(_))));
}

/// A store of 40 days, four hours a day: calls, failures of two classes,
/// two projects and two tools, so every range and filter has something.
fn forty_days() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hookwatch.db");
    drop(hookwatch_store::Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mut id = 0;
    for day in 0..40i64 {
        for hour in [1i64, 7, 13, 23] {
            id += 1;
            let t = NOW - day * 24 * H - hour * H + id;
            let (project, tool) = if id % 2 == 0 {
                ("/w/app", "Bash")
            } else {
                ("/w/api", "Read")
            };
            let (event, class) = match id % 3 {
                0 => (
                    "PostToolUseFailure",
                    Some(if id % 2 == 0 { "test" } else { "network" }),
                ),
                1 => ("PostToolUse", None),
                _ => ("StopFailure", None),
            };
            conn.execute(
                "INSERT INTO events (spool_id, time_us, event, session_id, project, tool_name, class,
                                     fingerprint, original_size)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 10)",
                params![
                    format!("s{id}"),
                    t,
                    event,
                    format!("sess{}", day / 3),
                    project,
                    tool,
                    class,
                    class.map(|c| format!("fp-{c}"))
                ],
            )
            .unwrap();
        }
    }
    (dir, path)
}

/// Long ranges read their whole days from rollup_day and the hours around
/// them from rollup_hour: every figure equals a recount of the events over
/// the same (hour-widened) range, by day and by hour, with each filter.
#[test]
fn long_ranges_count_the_same_from_the_daily_rollup() {
    let (_d, path) = forty_days();
    let v = View::open(&path).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    for range in ["24h", "3d", "7d", "30d", "90d", "all"] {
        for (col, val) in [
            ("", ""),
            ("project", "/w/app"),
            ("tool_name", "Read"),
            ("class", "test"),
        ] {
            let f = Filter {
                project: (col == "project").then(|| val.to_string()),
                tool: (col == "tool_name").then(|| val.to_string()),
                class: (col == "class").then(|| val.to_string()),
                ..filter(range)
            };
            let (from, _) = f.bounds(NOW);
            let cond = if col.is_empty() {
                String::new()
            } else {
                format!(" AND {col} = '{val}'")
            };
            let recount: (i64, i64, i64) = conn
                .query_row(
                    &format!(
                        "SELECT count(*), sum(event = 'PostToolUseFailure'), sum(event = 'StopFailure')
                         FROM events WHERE time_us >= ?1 AND time_us < ?2{cond}"
                    ),
                    params![from, NOW + 1],
                    |r| Ok((r.get(0)?, r.get::<_, Option<i64>>(1)?.unwrap_or(0), r.get::<_, Option<i64>>(2)?.unwrap_or(0))),
                )
                .unwrap();
            for bucket in [Some(Bucket::Day), Some(Bucket::Hour), None] {
                let o = v.overview(&f, Stack::Tool, bucket, NOW).unwrap();
                let what = format!("{range} {col}={val} {bucket:?}");
                assert_eq!(
                    (o.totals.events, o.totals.failures, o.totals.stop_failures),
                    recount,
                    "{what}"
                );
                assert_eq!(
                    o.series.iter().map(|p| p.count).sum::<i64>(),
                    recount.1,
                    "{what}"
                );
                assert_eq!(
                    o.per_tool.iter().map(|r| r.failures).sum::<i64>(),
                    recount.1,
                    "{what}"
                );
            }
        }
    }
    // The filter menus count all time.
    let facets = v.facets().unwrap();
    assert_eq!(facets.projects.len(), 2);
    assert_eq!(facets.classes.len(), 2);
}

/// The questions a large store makes slow go to an index (EXPLAIN QUERY
/// PLAN), not a scan: sessions with a tool or a class, guard decisions, the
/// whole days of a long range.
#[test]
fn filters_are_answered_by_indexes() {
    let (_d, path) = forty_days();
    let v = View::open(&path).unwrap();
    let plan_with = |sql: &str, a: &[rusqlite::types::Value]| -> String {
        let mut st = v
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        let rows = st
            .query_map(rusqlite::params_from_iter(a), |r| r.get::<_, String>(3))
            .unwrap()
            .map(|r| r.unwrap())
            .collect::<Vec<_>>();
        rows.join("; ")
    };
    let plan = |sql: &str| plan_with(sql, &[]);
    for (f, index) in [
        (
            Filter {
                tool: Some("Bash".into()),
                ..filter("all")
            },
            "events_session_tool",
        ),
        (
            Filter {
                class: Some("test".into()),
                ..filter("all")
            },
            "events_session_class",
        ),
    ] {
        let mut a = Vec::new();
        let sql = format!(
            "SELECT count(*) FROM session_summary s WHERE s.last_us >= 0{}",
            pages::session_has(&f, &mut a)
        );
        let p = plan_with(&sql, &a);
        assert!(p.contains(index), "{p}");
    }
    let p = plan(
        "SELECT count(*) FROM events INDEXED BY events_guard WHERE guard_decision IS NOT NULL
         AND time_us >= 0 AND time_us < 10",
    );
    assert!(p.contains("events_guard"), "{p}");
    let span = filter::rollup_span(NOW - 30 * 24 * H, NOW);
    let p = plan(&format!(
        "SELECT sum(n) FROM {span} WHERE hour_us >= 1 AND hour_us < 2 AND project = 'x'"
    ));
    assert!(
        p.contains("rollup_day") && !p.contains("SCAN rollup"),
        "{p}"
    );
    assert_eq!(
        p.matches("SEARCH rollup_hour USING PRIMARY KEY").count(),
        2,
        "{p}"
    );
}
