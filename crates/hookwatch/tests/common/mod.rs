//! A temp HOOKWATCH_HOME per test and helpers to run the real binary in it.
#![allow(dead_code)]

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_hookwatch");

pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Home {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A command for the binary, isolated from the real home and config.
    pub fn cmd(&self) -> Command {
        let mut c = Command::new(BIN);
        c.env("HOOKWATCH_HOME", self.path())
            .env_remove("HOOKWATCH_MAX_PAYLOAD_BYTES")
            .env_remove("HOOKWATCH_FSYNC")
            .env_remove("CLAUDE_PROJECT_DIR")
            .env("TMPDIR", self.path().join("tmp"));
        std::fs::create_dir_all(self.path().join("tmp")).unwrap();
        c
    }

    /// `n` hook processes started and blocked on stdin, to be released
    /// together by writing their input.
    pub fn spawn_hooks(&self, n: usize) -> Vec<std::process::Child> {
        (0..n)
            .map(|_| {
                self.cmd()
                    .arg("hook")
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect()
    }

    pub fn hook(&self, input: &[u8]) -> Output {
        run_with_stdin(self.cmd().arg("hook"), input)
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    /// `hookwatch events --json --limit N`, parsed; panics if the command fails.
    pub fn events(&self, extra: &[&str]) -> Vec<Value> {
        let mut args = vec!["events", "--json"];
        if !extra.contains(&"--limit") {
            args.extend(["--limit", "100000"]);
        }
        args.extend_from_slice(extra);
        json_lines(&self.run(&args))
    }

    pub fn db(&self) -> PathBuf {
        self.path().join("hookwatch.db")
    }

    /// Every byte hookwatch wrote under its home (db, WAL, spool), for
    /// "the secret is nowhere" checks on raw bytes.
    pub fn all_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        collect(self.path(), &mut out);
        out
    }
}

fn collect(dir: &Path, out: &mut Vec<u8>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if let Ok(b) = std::fs::read(&p) {
            out.extend_from_slice(&b);
        }
    }
}

/// The `--json` output of a query command that must have succeeded.
pub fn json_lines(out: &Output) -> Vec<Value> {
    assert!(
        out.status.success(),
        "query failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

pub fn run_with_stdin(cmd: &mut Command, input: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    // Write from a thread: a large input must not deadlock against output.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

pub fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// A realistic PostToolUseFailure of about `size` bytes.
pub fn failure_event(session: &str, tool_use_id: &str, size: usize) -> Value {
    let mut error = String::from("Exit code 101\n   Compiling shop v0.1.0 (/work/shop)\n");
    while error.len() < size {
        error.push_str("error[E0425]: cannot find value `conn` in this scope\n  --> src/db.rs:42:9\n   |\n42 |         conn.execute(\"SELECT 1\")?;\n   |         ^^^^ not found in this scope\n");
    }
    serde_json::json!({
        "session_id": session, "transcript_path": "/tmp/t.jsonl", "cwd": "/work/shop",
        "hook_event_name": "PostToolUseFailure", "tool_name": "Bash",
        "tool_input": {"command": "cargo build", "description": "Build"},
        "tool_use_id": tool_use_id, "error": error, "is_interrupt": false, "duration_ms": 912
    })
}

/// The JSON a hook printed (None: it answered nothing); the hook must have
/// exited 0.
pub fn answer(out: &Output) -> Option<Value> {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (!out.stdout.is_empty()).then(|| serde_json::from_slice(&out.stdout).unwrap())
}
