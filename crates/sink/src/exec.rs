//! One run of a program (command target, desktop notifier): no shell,
//! stdin fed from memory, output kept bounded, killed at the timeout.

use crate::text::{cut_bytes, one_line, scrub};
use crate::Delivery;
use std::io::{Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Exit codes that mean what, per target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// 0 delivered, 75 (EX_TEMPFAIL) retry, anything else permanent.
    Command,
    /// 0 delivered, anything else permanent: notify-send fails the same way
    /// every time when there is no desktop session.
    Desktop,
}

const EX_TEMPFAIL: i32 = 75;
const OUTPUT_KEEP: usize = 4096;

pub(crate) fn run(flavor: Flavor, argv: &[String], stdin: &[u8], timeout: Duration) -> Delivery {
    let Some((prog, args)) = argv.split_first() else {
        return Delivery::Permanent {
            status: None,
            error: "argv is empty".to_string(),
        };
    };
    let mut cmd = Command::new(prog);
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own process group, so that the timeout also ends what the
        // program started (a script's children hold our pipes open).
        .process_group(0);
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            let error = format!(
                "cannot run {prog}: {e}: argv[0] must be a program (run directly, without a \
                 shell): a full path or a name on PATH"
            );
            return match e.kind() {
                std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied => {
                    Delivery::Permanent {
                        status: None,
                        error,
                    }
                }
                _ => Delivery::Retry {
                    status: None,
                    error,
                    after: None,
                },
            };
        }
    };
    let pid = child.id() as libc::pid_t;
    if let Some(mut input) = child.stdin.take() {
        let data = stdin.to_vec();
        // A program that never reads stdin gets EPIPE here, not a hang.
        std::thread::spawn(move || {
            let _ = input.write_all(&data);
        });
    }
    let out = drain(child.stdout.take());
    let err = drain(child.stderr.take());

    let deadline = Instant::now() + timeout;
    let mut nap = Duration::from_millis(1);
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) if Instant::now() >= deadline => break None,
            Ok(None) => {
                std::thread::sleep(nap.min(deadline.saturating_duration_since(Instant::now())));
                nap = (nap * 2).min(Duration::from_millis(20));
            }
            Err(e) => {
                return Delivery::Retry {
                    status: None,
                    error: format!("waiting for {prog}: {e}"),
                    after: None,
                }
            }
        }
    };
    let Some(status) = status else {
        // Not reaped yet, so the group id is still ours to signal.
        kill_group(pid, &mut child);
        return Delivery::Retry {
            status: None,
            error: format!(
                "{prog} did not finish within {}s and was killed",
                timeout.as_secs_f64()
            ),
            after: None,
        };
    };
    let stdout = collect(out);
    let stderr = collect(err);
    let said = |s: &str| {
        if s.is_empty() {
            String::new()
        } else {
            format!(": {s}")
        }
    };
    match (status.code(), flavor) {
        (Some(0), _) => Delivery::Delivered {
            status: None,
            answer: format!("exit 0{}", said(&stdout)),
        },
        (Some(EX_TEMPFAIL), Flavor::Command) => Delivery::Retry {
            status: None,
            error: format!("{prog} exited 75 (EX_TEMPFAIL: try again){}", said(&stderr)),
            after: None,
        },
        (Some(code), Flavor::Command) => Delivery::Permanent {
            status: None,
            error: format!("{prog} exited {code}{}", said(&stderr)),
        },
        (Some(code), Flavor::Desktop) => Delivery::Permanent {
            status: None,
            error: format!(
                "{prog} exited {code}{} (desktop notifications need a graphical session: \
                 DBUS_SESSION_BUS_ADDRESS must be set)",
                said(&stderr)
            ),
        },
        (None, _) => Delivery::Permanent {
            status: None,
            error: format!(
                "{prog} was killed by signal {}{}",
                status.signal().unwrap_or(0),
                said(&stderr)
            ),
        },
    }
}

fn kill_group(pid: libc::pid_t, child: &mut std::process::Child) {
    // SAFETY: a plain syscall. The leader is not reaped yet, so the group
    // id cannot belong to anyone else.
    unsafe { libc::kill(-pid, libc::SIGKILL) };
    let _ = child.wait();
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    if let Some(mut pipe) = pipe {
        std::thread::spawn(move || {
            let mut kept = Vec::new();
            let mut buf = [0u8; 8192];
            while let Ok(n @ 1..) = pipe.read(&mut buf) {
                let room = OUTPUT_KEEP.saturating_sub(kept.len());
                kept.extend_from_slice(&buf[..n.min(room)]);
            }
            let _ = tx.send(kept);
        });
    }
    rx
}

/// What the program printed, if its pipes close soon after it exits (a
/// daemonised grandchild may hold them open forever).
fn collect(rx: mpsc::Receiver<Vec<u8>>) -> String {
    let bytes = rx
        .recv_timeout(Duration::from_millis(500))
        .unwrap_or_default();
    cut_bytes(&scrub(&one_line(&String::from_utf8_lossy(&bytes))), 300)
}
