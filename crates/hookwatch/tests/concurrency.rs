//! Many hooks at once (parallel tool calls, subagents): every accepted event
//! is stored exactly once, none lost, no error.

mod common;
use common::*;
use std::io::Write;
use std::process::Child;

const N: usize = 200;

/// Start N hooks blocked on stdin, then release them all together.
fn burst(h: &Home, session: &str) {
    let mut children: Vec<Child> = h.spawn_hooks(N);
    let inputs: Vec<_> = (0..N)
        .map(|i| {
            let mut stdin = children[i].stdin.take().unwrap();
            let body = failure_event(session, &format!("toolu_{session}_{i:03}"), 5000).to_string();
            (stdin.write_all(body.as_bytes()), drop(stdin))
        })
        .collect();
    assert!(inputs.iter().all(|(r, _)| r.is_ok()));
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        assert!(
            out.stderr.is_empty(),
            "stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // The same failure 200 times in one session: some hooks answer
        // with the (capped) repeat warning; none says anything else.
        if !out.stdout.is_empty() {
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(
                v["hookSpecificOutput"]["hookEventName"],
                "PostToolUseFailure"
            );
        }
    }
}

fn assert_each_once(h: &Home, session: &str) {
    let ev = h.events(&["--session", session]);
    let mut ids: Vec<String> = ev
        .iter()
        .map(|e| e["tool_use_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), N, "lost or duplicated events");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), N, "duplicates");
}

#[test]
fn two_hundred_hooks_on_a_brand_new_data_dir() {
    let h = Home::new();
    let fresh = Home {
        dir: tempfile::tempdir_in(h.path()).unwrap(),
    };
    std::fs::remove_dir(fresh.path()).unwrap(); // not even the directory exists
    burst(&fresh, "new");
    assert_each_once(&fresh, "new");
}

#[test]
fn two_hundred_hooks_on_an_existing_data_dir_while_an_ingester_runs() {
    let h = Home::new();
    burst(&h, "first");
    assert_each_once(&h, "first");
    // A concurrent ingester (as `tail` or the background worker would be)
    // races the hooks and the final query.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let ingester = {
        let (stop, home) = (stop.clone(), h.path().to_owned());
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let out = std::process::Command::new(BIN)
                    .args(["ingest"])
                    .env("HOOKWATCH_HOME", &home)
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        })
    };
    burst(&h, "second");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    ingester.join().unwrap();
    assert_each_once(&h, "second");
    assert_eq!(h.events(&[]).len(), 2 * N);
}
