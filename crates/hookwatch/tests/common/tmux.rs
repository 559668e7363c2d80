//! A terminal for tests: a tmux server of its own (its own socket) with one
//! session, keys sent to it, its screen read back; killed when the test
//! ends however it ends.
#![allow(dead_code)]

use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    pub socket: String,
    /// The session's name (`-t`).
    pub session: &'static str,
    /// How long `wait_for` waits.
    pub patience: Duration,
}

impl Tmux {
    pub fn new(session: &'static str, patience: Duration) -> Tmux {
        if Command::new("tmux").arg("-V").output().is_err() {
            panic!("this test runs in a real terminal: install tmux (apt-get install tmux) and run it again");
        }
        Tmux {
            socket: format!("hookwatch-{session}-{}", std::process::id()),
            session,
            patience,
        }
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.socket, "-f", "/dev/null"]);
        c
    }

    pub fn capture(&self) -> String {
        let out = self
            .cmd()
            .args(["capture-pane", "-p", "-t", self.session])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut c = self.cmd();
        c.args(["send-keys", "-t", self.session]).args(keys);
        assert!(c.status().unwrap().success());
    }

    /// The screen once `ok` says it is what is wanted.
    pub fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.capture();
            if ok(&s) {
                return s;
            }
            assert!(
                start.elapsed() < self.patience,
                "waited {:?} for {what}; the screen:\n{s}",
                self.patience
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn alive(&self) -> bool {
        self.cmd()
            .args(["has-session", "-t", self.session])
            .output()
            .is_ok_and(|o| o.status.success())
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").output();
    }
}
