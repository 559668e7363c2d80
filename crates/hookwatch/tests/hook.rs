//! `hookwatch hook` as Claude Code runs it: a new process per event, stdin in,
//! exit 0 always, nothing on stdout, and bad input kept rather than lost.

mod common;
use common::*;
use serde_json::json;
use std::time::{Duration, Instant};

fn assert_silent_success(out: &std::process::Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stdout.is_empty(),
        "the recorder must print nothing (it would be a decision)"
    );
}

#[test]
fn a_normal_event_is_recorded_silently() {
    let h = Home::new();
    let out = h.hook(failure_event("s1", "toolu_1", 5000).to_string().as_bytes());
    assert_silent_success(&out);
    assert!(out.stderr.is_empty());
    let ev = h.events(&[]);
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["event"], "PostToolUseFailure");
    assert_eq!(ev[0]["tool_name"], "Bash");
    assert_eq!(ev[0]["tool_use_id"], "toolu_1");
    assert_eq!(ev[0]["session_id"], "s1");
    assert_eq!(ev[0]["is_interrupt"], false);
    assert_eq!(ev[0]["duration_ms"], 912);
    assert_eq!(ev[0]["payload"]["tool_input"]["command"], "cargo build");
    assert!(ev[0]["time"].as_str().unwrap().ends_with('Z'));
}

/// Bad input: still exit 0 and no answer, but one line on stderr saying
/// what was kept and how to see it, without quoting the input.
fn assert_one_line_about_bad_input(out: &std::process::Output, input: &[u8]) {
    assert_silent_success(out);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "one clear line: {err}");
    assert!(err.starts_with("hookwatch: stdin "), "{err}");
    assert!(
        err.contains("kept raw as event ") && err.contains("hookwatch events --event ''"),
        "{err}"
    );
    if input.len() >= 8 {
        assert!(
            !contains(&out.stderr, &String::from_utf8_lossy(&input[..8])),
            "{err}"
        );
    }
}

#[test]
fn malformed_json_is_kept_raw_with_the_parse_error() {
    let h = Home::new();
    let bad = br#"{"hook_event_name":"PostToolUse","session_id":"#;
    let out = h.hook(bad);
    assert_one_line_about_bad_input(&out, bad);
    assert!(String::from_utf8_lossy(&out.stderr).contains("not JSON"));
    let ev = h.events(&[]);
    assert_eq!(ev.len(), 1);
    assert!(ev[0]["parse_error"].as_str().unwrap().contains("not JSON"));
    assert_eq!(
        ev[0]["raw"],
        r#"{"hook_event_name":"PostToolUse","session_id":"#
    );
}

#[test]
fn binary_junk_and_empty_stdin_are_kept() {
    let h = Home::new();
    let junk: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
        .collect();
    for input in [&junk[..], b"", b"[1,2,3]"] {
        assert_one_line_about_bad_input(&h.hook(input), input);
    }
    let ev = h.events(&[]);
    assert_eq!(ev.len(), 3);
    assert!(ev.iter().all(|e| e["parse_error"].is_string()));
    assert_eq!(ev[1]["parse_error"], "stdin was empty");
    // What the line tells the user to run shows exactly these.
    assert_eq!(h.events(&["--event", ""]).len(), 3);
}

#[test]
fn missing_fields_and_unknown_events_are_kept() {
    let h = Home::new();
    assert_silent_success(&h.hook(br#"{}"#));
    assert_silent_success(&h.hook(br#"{"hook_event_name":"FutureEvent","novel":{"x":[1,2]}}"#));
    assert_silent_success(
        &h.hook(br#"{"hook_event_name":"PostToolUseFailure","duration_ms":"not a number"}"#),
    );
    let ev = h.events(&[]);
    assert_eq!(ev.len(), 3);
    assert_eq!(ev[0]["event"], "");
    assert_eq!(ev[1]["event"], "FutureEvent");
    assert_eq!(ev[1]["payload"]["novel"], json!({"x":[1,2]}));
    assert_eq!(ev[2]["duration_ms"], serde_json::Value::Null);
    assert_eq!(ev[2]["payload"]["duration_ms"], "not a number");
}

#[test]
fn secrets_never_reach_the_disk() {
    let h = Home::new();
    let gh = format!("ghp_{}", "Zx8Kq2Lm4Np6Rt8Vw0Yb2Dc4Fg6Hj8Kl0Mn2");
    let aws = format!("AKIA{}", "QW4ER7TY2UI5OP3A");
    let pw = "hunter2-Sup3r-s3cret";
    let ev = json!({"hook_event_name":"PostToolUseFailure","session_id":"s","tool_name":"Bash",
        "tool_input":{"command":format!("psql postgres://app:{pw}@db:5432/app")},
        "error":format!("Exit code 1\nGITHUB_TOKEN={gh}\naws_access_key_id = {aws}\n")});
    assert_silent_success(&h.hook(ev.to_string().as_bytes()));
    let rows = h.events(&[]);
    let payload = rows[0]["payload"].to_string();
    assert!(payload.contains("[REDACTED:"), "{payload}");
    let bytes = h.all_bytes();
    for s in [gh.as_str(), aws.as_str(), pw] {
        assert!(!contains(&bytes, s), "{s} found on disk");
    }
}

#[test]
fn oversized_payloads_are_truncated_with_size_and_hash() {
    let h = Home::new();
    let big = failure_event("s", "t", 1_000_000);
    let raw = big.to_string();
    assert_silent_success(&h.hook(raw.as_bytes()));
    let ev = &h.events(&[])[0];
    assert_eq!(ev["truncated"], true);
    assert_eq!(ev["original_size"], raw.len());
    assert_eq!(ev["hash"].as_str().unwrap().len(), 64);
    assert!(ev["payload"].to_string().len() <= 256 * 1024 + 1024);
    assert_eq!(ev["payload"]["tool_use_id"], "t", "shape kept");
    let err = ev["error"].as_str().unwrap();
    assert!(err.starts_with("Exit code 101") && err.contains("bytes cut"));
}

#[test]
fn the_cap_is_configurable() {
    let h = Home::new();
    std::fs::write(
        h.path().join("config.toml"),
        "[store]\nmax_payload_bytes = 8192\n",
    )
    .unwrap();
    assert_silent_success(&h.hook(failure_event("s", "t", 20_000).to_string().as_bytes()));
    let ev = &h.events(&[])[0];
    assert_eq!(ev["truncated"], true);
    assert!(ev["payload"].to_string().len() <= 8192);
}

#[test]
fn fifty_megabytes_of_stdin_is_neither_slow_nor_fatal() {
    let h = Home::new();
    let raw = failure_event("s", "t", 50 << 20).to_string();
    let t = Instant::now();
    let out = h.hook(raw.as_bytes());
    let took = t.elapsed();
    assert_silent_success(&out);
    // Generous for a debug build on 2 cores; the release figure is in BENCHMARKS.md.
    assert!(took < Duration::from_secs(10), "took {took:?}");
    let ev = &h.events(&[])[0];
    assert_eq!(ev["original_size"], raw.len());
    assert_eq!(ev["truncated"], true);
}

#[test]
fn a_corrupt_database_does_not_hurt_the_hook_and_queries_say_what_to_do() {
    let h = Home::new();
    std::fs::write(h.db(), b"this is not an sqlite database, it is junk junk junk junk junk junk junk junk junk junk junk junk junk junk junk junk").unwrap();
    let out = h.hook(failure_event("s", "t", 100).to_string().as_bytes());
    assert_silent_success(&out);
    assert!(out.stderr.is_empty());
    let q = h.run(&["events"]);
    assert_eq!(q.status.code(), Some(1));
    let msg = String::from_utf8_lossy(&q.stderr);
    assert!(msg.contains("move it aside"), "{msg}");
    // Move it aside as told: the spooled event was kept and shows up.
    std::fs::rename(h.db(), h.path().join("broken.db")).unwrap();
    assert_eq!(h.events(&[]).len(), 1);
}

#[test]
fn an_unwritable_data_dir_falls_back_to_the_rescue_spool() {
    let h = Home::new();
    // A file where the spool directory should be: cannot be written even as root.
    std::fs::write(h.path().join("spool"), b"in the way").unwrap();
    let out = h.hook(
        failure_event("s", "toolu_rescued", 100)
            .to_string()
            .as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "one clear line: {err}");
    assert!(err.contains("event kept in"), "{err}");
    // Queries ingest the rescue spool too.
    let ev = h.events(&[]);
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["tool_use_id"], "toolu_rescued");
}

#[test]
fn a_full_disk_means_exit_0_and_one_line() {
    use std::os::unix::process::CommandExt;
    let h = Home::new();
    // RLIMIT_FSIZE makes every write past 1 KiB fail, as a full disk does
    // (and would kill the process with SIGXFSZ if the hook did not ignore it).
    let mut cmd = h.cmd();
    cmd.arg("hook");
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: 1024,
                rlim_max: 1024,
            };
            libc::setrlimit(libc::RLIMIT_FSIZE, &lim);
            Ok(())
        });
    }
    let out = run_with_stdin(
        &mut cmd,
        failure_event("s", "t", 5000).to_string().as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("event lost") || err.contains("kept in"),
        "{err}"
    );
    // No half-written record is left behind to be mistaken for an event.
    assert!(h.events(&[]).is_empty());
}

#[test]
fn sigterm_does_not_cut_the_hook_short() {
    // Claude Code SIGTERMs hooks when a -p run exits, right after StopFailure.
    let h = Home::new();
    let mut child = h
        .cmd()
        .arg("hook")
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(100));
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    use std::io::Write;
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(br#"{"hook_event_name":"StopFailure","error":"rate_limit","session_id":"s"}"#)
        .unwrap();
    drop(stdin);
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert_eq!(h.events(&[])[0]["error"], "rate_limit");
}

#[test]
fn a_broken_config_file_warns_and_records_with_defaults() {
    let h = Home::new();
    std::fs::write(h.path().join("config.toml"), "[store\nmax_payload_bytes = ").unwrap();
    let out = h.hook(failure_event("s", "t", 100).to_string().as_bytes());
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
    // Query commands refuse it with the file and line.
    let q = h.run(&["config"]);
    assert_eq!(q.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&q.stderr).contains("config.toml"));
}
