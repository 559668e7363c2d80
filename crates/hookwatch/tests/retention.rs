//! Retention and export: `[store] retention` in the worker, `hookwatch
//! prune`, `hookwatch export`, on real database files and real processes.

mod common;
use common::*;
use serde_json::{json, Value};
use std::io::Read;
use std::process::Stdio;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const DAY: i64 = 86_400_000_000;

fn now_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_micros() as i64
}

/// An event written to the spool as a hook at `time_us` would have (its
/// name starts with the time, as the hook's do, so that ingestion, which
/// goes by name, stores events in time order).
fn spool_event(h: &Home, tag: &str, time_us: i64, event: &Value) {
    let payload = event.to_string();
    let header = hookwatch_store::spool::Header {
        v: hookwatch_store::spool::FORMAT_VERSION,
        id: format!("{time_us:016x}-{tag}"),
        time_us,
        len: payload.len() as u64,
        original_size: payload.len() as u64,
        ..Default::default()
    };
    hookwatch_store::spool::write(&h.path().join("spool"), &header, payload.as_bytes(), false)
        .unwrap();
}

fn ev(name: &str, session: &str) -> Value {
    json!({"hook_event_name": name, "session_id": session, "cwd": "/w/p",
           "tool_name": "Bash", "tool_input": {"command": "ls"}})
}

/// The session of every stored event, sorted (spool names, not times,
/// decide the ingestion order).
fn sessions(h: &Home) -> Vec<String> {
    let mut s: Vec<String> = h
        .events(&[])
        .iter()
        .map(|e| e["session_id"].as_str().unwrap_or("").to_string())
        .collect();
    s.sort();
    s
}

fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn fails(out: &std::process::Output, code: i32, says: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{err}");
    assert!(err.contains(says), "expected {says:?} in: {err}");
}

/// `[store] retention` set: the worker (the foreground `drain`, then the one
/// a hook starts) deletes events past it in batches of 2,000 and keeps the
/// newer ones; within five minutes of a complete run it does not look again.
#[test]
fn retention_in_the_worker_prunes_old_events_in_batches_and_keeps_new_ones() {
    let h = Home::new();
    std::fs::write(
        h.path().join("config.toml"),
        "[store]\nretention = \"30d\"\n",
    )
    .unwrap();
    let config = ok(&h.run(&["config"]));
    assert!(
        config.contains("store.retention = 30d    # from ") && config.contains("config.toml"),
        "{config}"
    );
    let now = now_us();
    for i in 0..4500 {
        spool_event(
            &h,
            &format!("old-{i:05}"),
            now - 40 * DAY + i,
            &ev("PostToolUse", "old"),
        );
    }
    for i in 0..20 {
        spool_event(
            &h,
            &format!("new-{i:05}"),
            now - 29 * DAY + i,
            &ev("PostToolUse", "new"),
        );
    }
    let out = h.run(&["drain", "--json"]);
    let totals: Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(totals["ingested"], 4520);
    assert_eq!(totals["pruned"], 4500);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.contains("retention 30d: deleted 4500 event(s)") && log.contains("in 3 batch(es)"),
        "{log}"
    );
    assert_eq!(sessions(&h), vec!["new"; 20]);
    assert!(h.path().join("prune.last").exists());

    // Within five minutes of that run, no worker looks again.
    for i in 0..10 {
        spool_event(
            &h,
            &format!("later-{i:05}"),
            now - 40 * DAY,
            &ev("Stop", "old"),
        );
    }
    let totals: Value = serde_json::from_str(&ok(&h.run(&["drain", "--json"]))).unwrap();
    assert_eq!(
        (totals["ingested"].as_i64(), totals["pruned"].as_i64()),
        (Some(10), Some(0))
    );
    assert_eq!(sessions(&h).len(), 30);

    // Once it is due, the worker a hook starts at the end of a turn does it.
    let marker = std::fs::File::options()
        .write(true)
        .open(h.path().join("prune.last"))
        .unwrap();
    marker
        .set_modified(SystemTime::now() - Duration::from_secs(600))
        .unwrap();
    drop(marker);
    assert!(h
        .hook(ev("Stop", "now").to_string().as_bytes())
        .status
        .success());
    // The worker logs once the batch is committed: wait for the log.
    let log = || std::fs::read_to_string(h.path().join("worker.log")).unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !log().contains("retention 30d: deleted 10 event(s)") {
        assert!(
            Instant::now() < deadline,
            "no prune by the background worker: {}",
            log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut left = sessions(&h);
    left.dedup();
    assert_eq!(left, ["new", "now"]);
}

/// `--dry-run` counts per event kind and deletes nothing; `--before` deletes
/// exactly the events strictly older than a date or an age.
#[test]
fn prune_dry_run_deletes_nothing_and_before_deletes_exactly_the_older_rows() {
    let h = Home::new();
    let now = now_us();
    let new_year = 1_735_689_600_000_000; // 2025-01-01T00:00:00Z
    spool_event(&h, "a", new_year - 1, &ev("Stop", "A"));
    spool_event(&h, "b", new_year, &ev("Stop", "B"));
    for i in 0..3 {
        spool_event(
            &h,
            &format!("c{i}"),
            now - 10 * DAY,
            &ev("PostToolUse", "C10"),
        );
    }
    for i in 0..2 {
        spool_event(
            &h,
            &format!("f{i}"),
            now - 10 * DAY,
            &failure_event("C10", &format!("t{i}"), 200),
        );
        spool_event(
            &h,
            &format!("d{i}"),
            now - 5 * DAY,
            &ev("UserPromptSubmit", "D5"),
        );
    }
    spool_event(&h, "e", now - DAY, &ev("Stop", "E1"));
    assert!(h
        .hook(ev("SessionStart", "NOW").to_string().as_bytes())
        .status
        .success());
    let all = sessions(&h);
    assert_eq!(all.len(), 11);

    let preview: Value = serde_json::from_str(&ok(&h.run(&[
        "prune",
        "--before",
        "3d",
        "--dry-run",
        "--json",
    ])))
    .unwrap();
    assert_eq!(preview["dry_run"], true);
    assert_eq!(preview["events"], 9);
    assert_eq!(preview["kept"], 0);
    assert_eq!(
        preview["by_event"],
        json!([
            {"key": "PostToolUse", "count": 3},
            {"key": "PostToolUseFailure", "count": 2},
            {"key": "Stop", "count": 2},
            {"key": "UserPromptSubmit", "count": 2},
        ])
    );
    assert_eq!(preview["auto_vacuum"], "incremental");
    let text = ok(&h.run(&["prune", "--before", "3d", "--dry-run"]));
    assert!(
        text.contains("would delete 9 event(s)") && text.contains("PostToolUseFailure"),
        "{text}"
    );
    assert_eq!(sessions(&h), all, "a dry run deletes nothing");

    // A date is its midnight UTC, and only what is strictly older goes.
    let r: Value =
        serde_json::from_str(&ok(&h.run(&["prune", "--before", "2025-01-01", "--json"]))).unwrap();
    assert_eq!(
        (r["deleted"].as_i64(), r["complete"].as_bool()),
        (Some(1), Some(true))
    );
    assert_eq!(r["before"], "2025-01-01T00:00:00.000000Z");
    assert_eq!(
        sessions(&h),
        all[1..],
        "A went, B (exactly at midnight) stays"
    );
    let r: Value = serde_json::from_str(&ok(&h.run(&[
        "prune",
        "--before",
        "2025-01-01T00:00:00.000001Z",
        "--json",
    ])))
    .unwrap();
    assert_eq!(r["deleted"], 1);

    let text = ok(&h.run(&["prune", "--before", "3d"]));
    assert!(text.contains("deleted 7 event(s)"), "{text}");
    assert_eq!(sessions(&h), ["E1", "NOW"]);
}

/// Malformed times, a future --before, nothing to prune by, a bad retention,
/// an unknown export format, an unwritable output: refused with a message
/// that says what to do, nothing deleted.
#[test]
fn bad_input_is_refused_and_deletes_nothing() {
    let h = Home::new();
    let now = now_us();
    spool_event(&h, "old", now - 10 * DAY, &ev("Stop", "old"));
    assert!(h
        .hook(ev("SessionStart", "new").to_string().as_bytes())
        .status
        .success());
    for bad in [
        "2026-13-01",
        "2026-02-30",
        "yesterday",
        "2026-09-01T00:00:00",
        "-3d",
        "",
    ] {
        fails(
            &h.run(&["prune", &format!("--before={bad}")]),
            1,
            "invalid time",
        );
    }
    fails(
        &h.run(&["prune", "--before", "2999-01-01"]),
        1,
        "is in the future",
    );
    fails(
        &h.run(&[
            "prune",
            "--before",
            "2999-01-01T00:00:00+02:00",
            "--dry-run",
        ]),
        1,
        "is in the future",
    );
    fails(&h.run(&["prune"]), 1, "--before 90d");
    fails(
        &h.run(&["prune", "--before", "1d", "--dry-run", "--vacuum"]),
        2,
        "cannot be used with",
    );
    fails(&h.run(&["export", "--format", "xml"]), 2, "possible values");
    fails(
        &h.run(&["export", "--until", "tomorrow"]),
        1,
        "--until: invalid time",
    );
    fails(
        &h.run(&["export", "--since", "2026-09-01T25:00:00Z"]),
        1,
        "invalid time",
    );
    let missing = h.path().join("no/such/dir/out.csv");
    fails(
        &h.run(&["export", "--output", missing.to_str().unwrap()]),
        1,
        "cannot write",
    );
    // A since in the future is not an error: nothing matches.
    assert_eq!(ok(&h.run(&["export", "--since", "2999-01-01"])), "");
    assert_eq!(sessions(&h), ["new", "old"]);

    // A retention below the minimum, or not a duration: commands stop and
    // name the line; the hook still records; nothing is deleted.
    for (value, says) in [("5m", "minimum of 1h"), ("ninety days", "invalid duration")] {
        std::fs::write(
            h.path().join("config.toml"),
            format!("[store]\nretention = \"{value}\"\n"),
        )
        .unwrap();
        fails(&h.run(&["prune"]), 1, says);
        fails(&h.run(&["config"]), 1, "line 2");
        let out = h.hook(ev("Stop", "new").to_string().as_bytes());
        assert_eq!(out.status.code(), Some(0));
    }
    std::fs::remove_file(h.path().join("config.toml")).unwrap();
    assert_eq!(sessions(&h), ["new", "new", "new", "old"]);
}

/// A database created before incremental auto-vacuum: pruning frees pages
/// for reuse but the file keeps its size until one `prune --vacuum`; after
/// that, every prune shrinks it.
#[test]
fn prune_vacuum_switches_an_older_database_to_incremental_auto_vacuum() {
    let h = Home::new();
    let conn = rusqlite::Connection::open(h.db()).unwrap();
    // A table before hookwatch's first: too late for the pragma, as with a
    // database from before it was set.
    conn.execute_batch("CREATE TABLE legacy (x)").unwrap();
    drop(conn);
    ok(&h.run(&["events"]));
    let bulk = |tag: &str, n: i64, time_us: i64| {
        let conn = rusqlite::Connection::open(h.db()).unwrap();
        conn.busy_timeout(Duration::from_secs(5)).unwrap();
        conn.execute(
            "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ?1)
             INSERT INTO events (spool_id, time_us, event, session_id, payload, original_size)
             SELECT ?2 || i, ?3, 'PostToolUse', ?2,
                    json_object('hook_event_name', 'PostToolUse', 'pad', substr(hex(zeroblob(2000)), 1, 4000)),
                    4100 FROM c",
            rusqlite::params![n, tag, time_us],
        )
        .unwrap();
    };
    let now = now_us();
    bulk("old", 3000, now - 10 * DAY);
    bulk("new", 1, now);
    let prune = |args: &[&str]| -> Value {
        let mut a = vec!["prune", "--json"];
        a.extend_from_slice(args);
        serde_json::from_str(&ok(&h.run(&a))).unwrap()
    };
    let r = prune(&["--before", "1d"]);
    assert_eq!(r["deleted"], 3000);
    assert_eq!(r["auto_vacuum"], "none");
    assert_eq!(r["freed_bytes"], 0);
    let full = r["database_bytes"].as_u64().unwrap();
    assert!(full > 12_000_000, "{r}");
    let text = ok(&h.run(&["prune", "--before", "1d"]));
    assert!(
        !text.contains("--vacuum"),
        "nothing deleted, nothing to say: {text}"
    );

    let r = prune(&["--vacuum"]);
    assert_eq!(r["vacuumed"], true);
    assert_eq!(r["auto_vacuum"], "incremental");
    let small = r["database_bytes"].as_u64().unwrap();
    assert!(small < full / 10, "{small} of {full}");
    assert_eq!(r["freed_bytes"].as_u64(), Some(full - small));

    // From now on a prune gives the space back by itself.
    bulk("again", 3000, now - 10 * DAY);
    bulk("newer", 1, now);
    let r = prune(&["--before", "1d"]);
    assert_eq!(r["deleted"], 3000);
    assert!(r["freed_bytes"].as_u64().unwrap() > 10_000_000, "{r}");
    assert!(r["database_bytes"].as_u64().unwrap() < full / 10, "{r}");
    assert_eq!(sessions(&h), ["new", "newer"]);
}

/// Events whose text holds commas, quotes, line breaks (LF and CRLF), tabs
/// and non-ASCII, a secret (scrubbed before it was stored) and input that
/// was not JSON (with invalid UTF-8): JSONL parses line by line to exactly
/// what `events --json` shows, and Python's csv module reads the CSV back to
/// the same values.
#[test]
fn export_jsonl_round_trips_and_csv_parses_on_awkward_text() {
    let h = Home::new();
    let token = "ghp_R2x7Kq9LmN4pV8sT1wY6zA3bC5dE0fG2hJ4k";
    let awkward = "a, b; \"quoted\" and 'single'\nnext line\r\nCRLF line\ttab, ünïcödé ✓ 日本語 🎉";
    let failure = json!({
        "session_id": "s,1", "cwd": "/w/p", "hook_event_name": "PostToolUseFailure",
        "tool_name": "Bash", "tool_use_id": "t\"1",
        "tool_input": {"command": format!("echo \"{awkward}\" && git push https://x:{token}@github.com/o/r")},
        "error": format!("Exit code 1\n{awkward}"), "is_interrupt": false, "duration_ms": 12
    });
    let prompt = json!({"session_id": "s\n2", "hook_event_name": "UserPromptSubmit",
                        "prompt": awkward, "cwd": "/w/ü"});
    for e in [&failure, &prompt] {
        assert!(h.hook(e.to_string().as_bytes()).status.success());
    }
    assert!(h
        .hook(b"\xff\xfe not json, \"at all\"\n\x00")
        .status
        .success());

    let jsonl = ok(&h.run(&["export"]));
    assert!(
        !jsonl.contains(token),
        "the secret was scrubbed before it was stored"
    );
    let rows: Vec<Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows, h.events(&[]));
    assert_eq!(rows.len(), 3);
    assert!(rows[0]["payload"].is_object(), "nested JSON, not a string");
    assert!(rows[0]["outcome"].is_object());
    assert_eq!(rows[0]["session_id"], "s,1");
    assert!(rows[0]["error"].as_str().unwrap().ends_with(awkward));
    assert!(rows[0]["payload"]["tool_input"]["command"]
        .as_str()
        .unwrap()
        .contains("[REDACTED:"));
    assert_eq!(rows[1]["payload"]["prompt"], awkward);
    assert_eq!(rows[2]["event"], "");
    assert!(rows[2]["raw"]
        .as_str()
        .unwrap()
        .starts_with("\u{fffd}\u{fffd} not json, \"at all\""));

    let csv_path = h.path().join("out.csv");
    let out = h.run(&[
        "export",
        "--format",
        "csv",
        "--output",
        csv_path.to_str().unwrap(),
    ]);
    assert_eq!(ok(&out), "", "nothing on stdout with --output");
    let leftovers: Vec<_> = std::fs::read_dir(h.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let bytes = std::fs::read(&csv_path).unwrap();
    assert!(!contains(&bytes, token));
    let parsed = python_csv(&csv_path);
    let header: Vec<&str> = parsed[0].iter().map(|s| s.as_str().unwrap()).collect();
    let keys: Vec<&str> = rows[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(header, keys);
    assert_eq!(parsed.len(), rows.len() + 1);
    for (row, json_row) in parsed[1..].iter().zip(&rows) {
        assert_eq!(row.len(), header.len());
        for (k, cell) in header.iter().zip(row) {
            let cell = cell.as_str().unwrap();
            match &json_row[*k] {
                Value::Null => assert_eq!(cell, "", "{k}"),
                Value::String(s) => assert_eq!(cell, s, "{k}"),
                v @ (Value::Object(_) | Value::Array(_)) => {
                    assert_eq!(&serde_json::from_str::<Value>(cell).unwrap(), v, "{k}")
                }
                v => assert_eq!(cell, v.to_string(), "{k}"),
            }
        }
    }

    // The filters of `events`, and --until.
    let only = ok(&h.run(&[
        "export",
        "--event",
        "PostToolUseFailure",
        "--session",
        "s,1",
    ]));
    assert_eq!(only.lines().count(), 1);
    let none = ok(&h.run(&["export", "--format", "csv", "--until", "2000-01-01"]));
    assert_eq!(none, format!("{}\r\n", header.join(",")));
    let all = ok(&h.run(&["export", "--since", "1h", "--until", "2999-01-01T00:00:00Z"]));
    assert_eq!(all, jsonl);
}

/// The CSV file as Python's csv module reads it: a list of rows of strings.
fn python_csv(path: &std::path::Path) -> Vec<Vec<Value>> {
    let script = "import csv, json, sys\n\
                  with open(sys.argv[1], newline='', encoding='utf-8') as f:\n\
                  \x20   print(json.dumps(list(csv.reader(f, strict=True))))\n";
    let out = std::process::Command::new("python3")
        .args(["-c", script, path.to_str().unwrap()])
        .output()
        .expect("python3 is needed to read the CSV with an independent parser");
    let text = ok(&out);
    let rows: Vec<Vec<Value>> = serde_json::from_str(&text).unwrap();
    rows
}

/// 120,000 events of ~1.6 KB (about 190 MB of JSON Lines) go out with the
/// exporter's peak memory far below the output's size: rows are written as
/// the statement steps, the first arriving long before the last.
#[test]
fn export_of_120k_events_streams_in_bounded_memory() {
    const N: i64 = 120_000;
    let h = Home::new();
    ok(&h.run(&["events"]));
    let conn = rusqlite::Connection::open(h.db()).unwrap();
    conn.execute(
        "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ?1)
         INSERT INTO events (spool_id, time_us, event, session_id, tool_name, payload, original_size)
         SELECT 'bulk-' || i, ?2 + i, 'PostToolUse', 's' || (i % 50), 'Bash',
                json_object('hook_event_name', 'PostToolUse', 'session_id', 's' || (i % 50),
                    'tool_name', 'Bash', 'tool_input', json_object('command', 'echo ' || i),
                    'tool_response', json_object('stdout', substr(hex(zeroblob(500)), 1, 1000))),
                1600 FROM c",
        rusqlite::params![N, now_us() - DAY],
    )
    .unwrap();
    drop(conn);
    let stderr = std::fs::File::create(h.path().join("export.err")).unwrap();
    // Reaped below by wait4, which also reports its peak memory.
    #[allow(clippy::zombie_processes)]
    let mut child = h
        .cmd()
        .args(["export"])
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let (mut bytes, mut lines, mut first) = (0usize, 0usize, None);
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = stdout.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            bytes += n;
            lines += buf[..n].iter().filter(|b| **b == b'\n').count();
            if first.is_none() && lines > 0 {
                first = Some(started.elapsed());
            }
        }
        (bytes, lines, first.unwrap())
    });
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // wait4: the peak resident size of this one process, not of every
    // child the test binary ever had.
    assert_eq!(unsafe { libc::wait4(pid, &mut status, 0, &mut usage) }, pid);
    let total = started.elapsed();
    let (bytes, lines, first) = reader.join().unwrap();
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{}",
        std::fs::read_to_string(h.path().join("export.err")).unwrap()
    );
    assert_eq!(lines as i64, N);
    assert!(bytes > 150_000_000, "{bytes} bytes");
    let peak = usage.ru_maxrss as usize * 1024;
    eprintln!(
        "export: {bytes} bytes, peak RSS {} KiB, first line after {first:?} of {total:?}",
        peak / 1024
    );
    assert!(peak < 64 << 20, "peak RSS {} KiB", peak / 1024);
    assert!(first < total / 4, "first line after {first:?} of {total:?}");
}

#[test]
fn completions_and_help_know_prune_and_export() {
    let h = Home::new();
    for shell in ["bash", "zsh", "fish"] {
        let out = ok(&h.run(&["completions", shell]));
        assert!(
            out.contains("prune") && out.contains("export") && out.contains("dry-run"),
            "{shell}"
        );
    }
    let help = ok(&h.run(&["--help"]));
    assert!(help.contains("prune") && help.contains("export"), "{help}");
    let prune = ok(&h.run(&["prune", "--help"]));
    assert!(
        prune.contains("--before")
            && prune.contains("VACUUM")
            && prune.contains("The worker never"),
        "{prune}"
    );
    let export = ok(&h.run(&["export", "--help"]));
    for flag in [
        "--format",
        "--event",
        "--session",
        "--tool",
        "--fingerprint",
        "--class",
        "--since",
        "--until",
        "--output",
        "RFC 4180",
    ] {
        assert!(export.contains(flag), "{flag}: {export}");
    }
}
