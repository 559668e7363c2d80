//! The progress line of commands that can take a while (rescrub, prune,
//! export): nothing in the first two seconds, then one line on stderr,
//! rewritten in place at most once a second, ended with a newline when the
//! work is done. stdout stays the command's output alone.

use std::io::Write;
use std::time::{Duration, Instant};

pub struct Progress {
    started: Instant,
    last: Instant,
    shown: bool,
}

impl Progress {
    pub fn new() -> Progress {
        let now = Instant::now();
        Progress {
            started: now,
            last: now,
            shown: false,
        }
    }

    /// Show `line()` if it is time; the line is only built when shown.
    pub fn update(&mut self, line: impl FnOnce() -> String) {
        if self.started.elapsed() > Duration::from_secs(2)
            && self.last.elapsed() > Duration::from_secs(1)
        {
            self.last = Instant::now();
            self.shown = true;
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r{}   ", line());
            let _ = err.flush();
        }
    }

    /// End the line, if one was shown.
    pub fn finish(&mut self) {
        if std::mem::take(&mut self.shown) {
            eprintln!();
        }
    }
}

impl Drop for Progress {
    /// An error return must not leave the cursor after the line.
    fn drop(&mut self) {
        self.finish();
    }
}
