//! `hookwatch wrap -- COMMAND`: a foreign hook run through hookwatch
//! (`hookwatch install --wrap`), so its health is complete: it runs
//! COMMAND exactly as Claude Code would (`bash -c`, the same stdin,
//! environment and directory), passes stdout, stderr and the exit code
//! through unchanged, and records one `HookRun` event (event, command,
//! exit, duration, output sizes, a stderr excerpt; scrubbed) in the spool.
//! Recording never changes what the hook does: if it fails, the run stands.

use crate::paths::Paths;
use hookwatch_store::spool::{self, Header};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// The hook's pid, for the signal handler.
static CHILD: AtomicI32 = AtomicI32::new(0);
/// The signal that cancelled the run (Claude Code's timeout or abort).
static CANCELLED: AtomicI32 = AtomicI32::new(0);

/// Claude Code cancels a hook (timeout, abort) with a signal to the
/// wrapper: pass it on to the hook and let the wrapper record the run.
extern "C" fn cancel(sig: libc::c_int) {
    CANCELLED.store(sig, Ordering::SeqCst);
    let pid = CHILD.load(Ordering::SeqCst);
    if pid > 0 {
        unsafe {
            libc::kill(pid, sig);
        }
    }
}

pub fn run(command: &str) -> i32 {
    let mut input = Vec::new();
    let _ = std::io::stdin()
        .lock()
        .take(64 << 20)
        .read_to_end(&mut input);
    let shell = if std::path::Path::new("/bin/bash").exists() {
        "/bin/bash"
    } else {
        "/bin/sh"
    };
    let start = Instant::now();
    let mut cmd = Command::new(shell);
    cmd.arg("-c")
        .arg(command)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Claude Code kills the wrapper on its timeout: the hook goes with it.
    #[cfg(target_os = "linux")]
    unsafe {
        use std::os::unix::process::CommandExt;
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        });
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(
                std::io::stderr(),
                "hookwatch wrap: cannot start {shell}: {e}"
            );
            return 1;
        }
    };
    CHILD.store(child.id() as i32, Ordering::SeqCst);
    // Installed after the spawn: the hook itself keeps default handlers.
    unsafe {
        for sig in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
            libc::signal(sig, cancel as *const () as libc::sighandler_t);
        }
    }
    let mut stdin = child.stdin.take().expect("piped");
    let fed = input.clone();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&fed);
    });
    // Output goes through as it comes: a hook whose first line is
    // `{"async":true}` is backgrounded by Claude Code at that line, and must
    // stay so. Only sizes and the start of stderr are kept.
    let pass = |mut r: Box<dyn Read + Send>, to_stderr: bool| {
        std::thread::spawn(move || {
            let mut kept = Vec::new();
            let mut total = 0usize;
            let mut buf = [0u8; 8192];
            loop {
                let n = match r.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                total += n;
                if to_stderr && kept.len() < 8192 {
                    kept.extend_from_slice(&buf[..n.min(8192 - kept.len())]);
                }
                let _ = if to_stderr {
                    let mut e = std::io::stderr().lock();
                    e.write_all(&buf[..n]).and_then(|_| e.flush())
                } else {
                    let mut o = std::io::stdout().lock();
                    o.write_all(&buf[..n]).and_then(|_| o.flush())
                };
            }
            (total, kept)
        })
    };
    let out = pass(Box::new(child.stdout.take().expect("piped")), false);
    let err = pass(Box::new(child.stderr.take().expect("piped")), true);
    let status = child.wait();
    let _ = writer.join();
    let (stdout_len, _) = out.join().unwrap_or_default();
    let (stderr_len, stderr) = err.join().unwrap_or_default();
    let millis = start.elapsed().as_millis() as u64;
    let code = match &status {
        Ok(s) => s.code().unwrap_or_else(|| {
            use std::os::unix::process::ExitStatusExt;
            128 + s.signal().unwrap_or(0)
        }),
        Err(_) => 1,
    };
    record(
        command,
        &input,
        code,
        millis,
        (stdout_len, stderr_len),
        &stderr,
    );
    code
}

fn record(
    command: &str,
    input: &[u8],
    code: i32,
    millis: u64,
    sizes: (usize, usize),
    stderr: &[u8],
) {
    let (stdout_len, stderr_len) = sizes;
    let ev: Value = serde_json::from_slice(input).unwrap_or(Value::Null);
    let field = |k: &str| ev.get(k).cloned().unwrap_or(Value::Null);
    // Scrubbed before it is cut: a cut token no longer looks like one.
    let scrubbed = hookwatch_scrub::scrub_str(String::from_utf8_lossy(stderr).trim()).into_owned();
    let excerpt: String = scrubbed.chars().take(500).collect();
    let payload = json!({
        "hook_event_name": "HookRun",
        "session_id": field("session_id"),
        "cwd": field("cwd"),
        "hook": {
            "event": field("hook_event_name"),
            "tool_name": field("tool_name"),
            "command": command,
            "exit_code": code,
            // Claude Code cancelled it (timeout or abort) with this signal.
            "cancelled": match CANCELLED.load(Ordering::SeqCst) {
                0 => Value::Null,
                sig => sig.into(),
            },
            "duration_ms": millis,
            "stdout_bytes": stdout_len,
            "stderr_bytes": stderr_len,
            "stderr": excerpt,
        },
    });
    let bytes = hookwatch_scrub::scrub_str(&payload.to_string())
        .into_owned()
        .into_bytes();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let header = Header {
        v: spool::FORMAT_VERSION,
        id: spool::new_id(now.as_micros() as i64, now.subsec_nanos()),
        time_us: now.as_micros() as i64,
        len: bytes.len() as u64,
        original_size: bytes.len() as u64,
        ..Header::default()
    };
    let paths = Paths::resolve();
    // The record is private (the hook's own files kept the user's umask).
    unsafe {
        libc::umask(0o077);
    }
    let _ = std::fs::create_dir_all(paths.spool());
    let _ = spool::write(&paths.spool(), &header, &bytes, false);
}
