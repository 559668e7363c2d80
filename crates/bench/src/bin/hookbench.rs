//! Whole-process timer.
//!
//! `hookbench rounds N WARMUP -- NAME=PAYLOAD=CMD... `: runs every command once
//! per round, interleaved (A B C, A B C, ...), each spawned directly (no
//! shell) with stdin opened on its payload file and stdout/stderr on
//! /dev/null (leading NAME=VALUE words set its environment), and prints JSON: per command the median, p10, p90 and the
//! median of the per-round ratios to the first command (or to BASE when the
//! name is NAME@BASE).
//!
//! `hookbench burst N PAYLOAD -- CMD...`: starts N copies blocked on stdin,
//! releases them together and prints p50/p99/max of each one's time from
//! release to exit.
//!
//! `hookbench drain N HOOKWATCH`: queues N failures of N sessions (N
//! notifications) through the real hook with a signed webhook target on a
//! loopback receiver, then times `hookwatch drain --wait`: ingest, routing,
//! grouping, dedup and N deliveries, until the receiver has them all.

use std::fs::File;
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

/// Leading `NAME=VALUE` words set the environment, as `env` would, without
/// timing an extra exec.
fn command(cmd: &[String]) -> Command {
    let n = cmd
        .iter()
        .take_while(|w| w.contains('=') && !w.starts_with('/'))
        .count();
    let mut c = Command::new(&cmd[n]);
    c.args(&cmd[n + 1..]);
    for w in &cmd[..n] {
        let (k, v) = w.split_once('=').unwrap();
        c.env(k, v);
    }
    c
}

fn run_once(cmd: &[String], payload: &str) -> Duration {
    let stdin = File::open(payload).expect("payload");
    let t = Instant::now();
    let status = command(cmd)
        .stdin(stdin)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("spawn");
    let d = t.elapsed();
    assert!(status.success(), "{cmd:?} failed: {status}");
    d
}

fn rounds(args: &[String]) {
    let n: usize = args[0].parse().unwrap();
    let warm: usize = args[1].parse().unwrap();
    let specs: Vec<(String, String, Vec<String>)> = args[3..]
        .split(|a| a == "::")
        .map(|s| {
            let (name, payload) = (s[0].clone(), s[1].clone());
            (name, payload, s[2..].to_vec())
        })
        .collect();
    let mut times = vec![Vec::new(); specs.len()];
    for r in 0..warm + n {
        // A throwaway spawn first: whichever command runs first in a round
        // reads slow (hot-path-measurements.md, Method).
        run_once(&["/bin/true".to_string()], "/dev/null");
        for (i, (_, payload, cmd)) in specs.iter().enumerate() {
            let d = run_once(cmd, payload);
            if r >= warm {
                times[i].push(d.as_secs_f64() * 1000.0);
            }
        }
    }
    // NAME@BASE: ratios against the command named BASE instead of the first.
    let base_of = |name: &str| -> usize {
        name.split_once('@')
            .and_then(|(_, b)| {
                specs
                    .iter()
                    .position(|(n, _, _)| n.split('@').next() == Some(b))
            })
            .unwrap_or(0)
    };
    let out: Vec<_> = specs
        .iter()
        .enumerate()
        .map(|(i, (name, _, _))| {
            let base = base_of(name);
            let name = name.split('@').next().unwrap_or(name);
            let mut ratios: Vec<f64> = times[i]
                .iter()
                .zip(&times[base])
                .map(|(a, b)| a / b)
                .collect();
            ratios.sort_by(|a, b| a.partial_cmp(b).unwrap());
            let mut t = times[i].clone();
            t.sort_by(|a, b| a.partial_cmp(b).unwrap());
            serde_json::json!({"name": name, "median_ms": pct(&t, 0.5), "p10_ms": pct(&t, 0.1),
                "p90_ms": pct(&t, 0.9), "ratio": pct(&ratios, 0.5),
                "ratio_to": specs[base].0.split('@').next(), "runs": t.len()})
        })
        .collect();
    println!("{}", serde_json::to_string_pretty(&out).unwrap());
}

fn burst(args: &[String]) {
    let n: usize = args[0].parse().unwrap();
    let payload = std::fs::read(&args[1]).unwrap();
    let cmd = args[3..].to_vec();
    let mut children: Vec<_> = (0..n)
        .map(|_| {
            Command::new(&cmd[0])
                .args(&cmd[1..])
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300)); // all started and blocked on stdin
    let barrier = Arc::new(Barrier::new(n));
    let payload = Arc::new(payload);
    let threads: Vec<_> = children
        .drain(..)
        .map(|mut c| {
            let (b, p) = (barrier.clone(), payload.clone());
            std::thread::spawn(move || {
                let mut stdin = c.stdin.take().unwrap();
                b.wait();
                let t = Instant::now();
                stdin.write_all(&p).unwrap();
                drop(stdin);
                let out = c.wait_with_output().unwrap();
                assert!(out.status.success() && out.stderr.is_empty());
                t.elapsed().as_secs_f64() * 1000.0
            })
        })
        .collect();
    let mut t: Vec<f64> = threads.into_iter().map(|h| h.join().unwrap()).collect();
    t.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "{}",
        serde_json::json!({"n": n, "p50_ms": pct(&t, 0.5), "p99_ms": pct(&t, 0.99), "max_ms": pct(&t, 1.0)})
    );
}

fn drain(args: &[String]) {
    use hookwatch_testkit::receiver::{Plan, Receiver};
    let n: usize = args[0].parse().unwrap();
    let bin = &args[1];
    let rx = Receiver::start(Plan::always(200, "ok"));
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("config.toml"),
        format!(
            "[alerts.route]\ngroup_wait = \"0s\"\n[alerts.targets.bench]\ntype = \"webhook\"\n\
             url = \"{}/hook\"\nsecret_env = \"HOOKBENCH_SECRET\"\n",
            rx.url()
        ),
    )
    .unwrap();
    let cmd = || {
        let mut c = Command::new(bin);
        c.env("HOOKWATCH_HOME", home.path())
            .env("HOOKBENCH_SECRET", "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD");
        c
    };
    // Hold the worker lock while queueing: the hooks' own workers stay out,
    // so everything is still queued when the timer starts.
    let lock = File::create(home.path().join("worker.lock")).unwrap();
    lock.lock().unwrap();
    for i in 0..n {
        let ev = serde_json::json!({
            "session_id": format!("bench-{i:05}"), "transcript_path": "/tmp/t.jsonl",
            "cwd": "/work/shop", "hook_event_name": "PostToolUseFailure", "tool_name": "Bash",
            "tool_input": {"command": format!("make target-{i}")}, "tool_use_id": format!("t{i}"),
            "error": format!("make: *** [target-{i}] Error 2"), "is_interrupt": false
        });
        let mut c = cmd()
            .arg("hook")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        c.stdin
            .take()
            .unwrap()
            .write_all(ev.to_string().as_bytes())
            .unwrap();
        let st = c.wait().unwrap();
        assert!(st.success(), "hook exited with {st}");
    }
    drop(lock);
    let t = Instant::now();
    let out = cmd().args(["drain", "--wait", "--json"]).output().unwrap();
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = rx.requests().len();
    assert_eq!(got, n, "receiver got {got} of {n}");
    let totals: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    println!(
        "{}",
        serde_json::json!({"n": n, "drain_ms": ms, "per_second": n as f64 / (ms / 1000.0), "worker": totals})
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("rounds") => rounds(&args[1..]),
        Some("burst") => burst(&args[1..]),
        Some("drain") => drain(&args[1..]),
        _ => {
            eprintln!("usage: hookbench rounds N WARMUP -- NAME PAYLOAD CMD... [:: NAME PAYLOAD CMD...]\n       hookbench burst N PAYLOAD -- CMD...");
            std::process::exit(2);
        }
    }
}
