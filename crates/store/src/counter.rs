//! Counters shared by concurrent hook processes, without locks.
//!
//! The advice cap must hold when a hundred hooks of one session fail at the
//! same moment, and the hook may not wait on a lock (rule 1). An `O_APPEND`
//! write is atomic with respect to other appends on a local file system:
//! each writer's bytes land at a distinct offset, and the file position of
//! its own descriptor ends right after them. So "append n bytes, read my
//! position" hands every caller a distinct running total, in the order the
//! kernel serialised the writes: exactly one caller sees 1, one sees 2, ...
//! No reader ever needs the file's contents; its length is the count.

use std::fs::{self, OpenOptions};
use std::io::{self, Seek, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Add `n` (≥ 1) to the counter at `path` and return its value including
/// this addition. Creates the file (and its directory) on first use.
pub fn add(path: &Path, n: usize) -> io::Result<u64> {
    let n = n.max(1);
    let mut file = match open(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir)?;
            }
            open(path)?
        }
        r => r?,
    };
    // One write call: split writes could interleave with another process's.
    let buf = vec![b'.'; n];
    let written = file.write(&buf)?;
    if written != n {
        return Err(io::Error::other("short append to counter"));
    }
    file.stream_position()
}

/// Current value without adding (0 when the counter does not exist).
pub fn get(path: &Path) -> u64 {
    fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn open(path: &Path) -> io::Result<fs::File> {
    OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(path)
}

/// Remove counter files not touched for `max_age` under `dir` (one level).
/// Returns how many were removed.
pub fn prune(dir: &Path, max_age: std::time::Duration) -> usize {
    let Ok(rd) = fs::read_dir(dir) else { return 0 };
    let now = std::time::SystemTime::now();
    let mut n = 0;
    for e in rd.flatten() {
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .map(|t| now.duration_since(t).unwrap_or_default() >= max_age)
            .unwrap_or(false);
        if old
            && e.file_type().map(|t| t.is_file()).unwrap_or(false)
            && fs::remove_file(e.path()).is_ok()
        {
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_from_one() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("sub/c");
        assert_eq!(get(&p), 0);
        assert_eq!(add(&p, 1).unwrap(), 1);
        assert_eq!(add(&p, 1).unwrap(), 2);
        assert_eq!(add(&p, 40).unwrap(), 42);
        assert_eq!(get(&p), 42);
    }

    #[test]
    fn threads_get_distinct_values() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("c");
        let mut seen: Vec<u64> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..16)
                .map(|_| s.spawn(|| (0..50).map(|_| add(&p, 1).unwrap()).collect::<Vec<_>>()))
                .collect();
            hs.into_iter().flat_map(|h| h.join().unwrap()).collect()
        });
        seen.sort();
        assert_eq!(seen, (1..=800).collect::<Vec<u64>>());
    }
}
