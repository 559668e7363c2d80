//! The spool: one file per accepted event, written by the hook.
//!
//! Why not SQLite directly from the hook: a short-lived process that opens a
//! WAL database pays for creating and checkpointing the WAL on every call
//! (~3 ms, 3-4x a bare process; hot-path-measurements.md §2), and a brand-new
//! database raced by hundreds of first writers fails with "database is
//! locked". A spool file costs one create, one write and one link or rename,
//! needs no lock, and cannot be torn: a record appears under its final name
//! only once it is complete (an unnamed `O_TMPFILE` linked into place on
//! Linux, a temp file renamed elsewhere and where that fails).
//! [`crate::Store::ingest`] moves records into SQLite with `INSERT OR
//! IGNORE` on the spool id and unlinks them after the commit, so a crash at
//! any point stores each record exactly once.
//!
//! Durability: the record is in the page cache when the hook exits, which
//! survives the hook, the agent and hookwatch crashing, the same guarantee as
//! SQLite WAL with synchronous=NORMAL. `fsync = true` adds fdatasync of the
//! file and its directory for power-loss durability.
//!
//! File format (version 1): one line of JSON ([`Header`]), `\n`, then exactly
//! `header.len` payload bytes (scrubbed; JSON text unless `parse_error`).

use serde::{Deserialize, Serialize};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

pub const FORMAT_VERSION: u32 = 1;
const SUFFIX: &str = "ev";
const TMP_DIR: &str = ".tmp";

/// Metadata written ahead of the payload.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Header {
    pub v: u32,
    /// Unique id of this record (also the file name stem).
    pub id: String,
    /// When the hook received the event, microseconds since the Unix epoch.
    pub time_us: i64,
    /// Length of the payload that follows the header line.
    pub len: u64,
    /// Size of stdin as received, before scrubbing and truncation.
    pub original_size: u64,
    /// True when the payload was cut to the size cap.
    #[serde(default)]
    pub truncated: bool,
    /// blake3 of the scrubbed, untruncated input (set when truncated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    /// Why the input could not be read as an event; the payload is then the
    /// scrubbed raw bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parse_error: Option<String>,
    /// Set on a StopFailure rebuilt from the transcript at SessionEnd (the
    /// transcript entry's uuid): it yields to the real event if both exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovered: Option<String>,
    /// `CLAUDE_PROJECT_DIR` of the hook's environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_dir: Option<String>,
    /// What the hook concluded and answered (failure analysis, guard
    /// decision): the audit trail of every answer it gave.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
}

/// What the hook made of an event. Strings, not the analysers' types: the
/// store keeps records; it does not depend on the rules that made them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Outcome {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<FailureOutcome>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guard: Option<GuardOutcome>,
    /// Internal errors of the analysers (fail-open policies, bad user rules).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    /// Fields of a newer hookwatch, kept as written.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct FailureOutcome {
    pub fingerprint: String,
    pub class: String,
    pub severity: String,
    pub expected: bool,
    /// The rule that decided the class (`builtin:<id>` or `user:<name>`).
    pub rule: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command_head: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mcp_server: Option<String>,
    /// This failure was the n-th with its fingerprint in its session (0:
    /// unknown, e.g. classified at ingestion).
    pub occurrence: u64,
    /// Advice given to the agent: rule ids, `repeat` for the repeat warning.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub advice: Vec<String>,
    /// Advice withheld by a cap or the budget (rule ids).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub withheld: Vec<String>,
    pub system_message: bool,
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct GuardOutcome {
    /// `deny`, `ask`, `allow`, `allowed-once` (a deny the user waived) or
    /// `error` (a fail-open policy could not decide).
    pub decision: String,
    pub policy: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// What `hookwatch guard allow-once --last/--id` waives: the key of this
    /// exact call, computed from the whole input (the stored one may be cut).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver_key: Option<String>,
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// A unique record id: time first so ids sort in arrival order, then pid and
/// sub-microsecond nanos so concurrent hooks never collide.
pub fn new_id(time_us: i64, nanos: u32) -> String {
    format!("{:016x}-{:08x}-{:08x}", time_us, std::process::id(), nanos)
}

/// Write one record into `dir`. Returns the final path.
pub fn write(dir: &Path, header: &Header, payload: &[u8], fsync: bool) -> io::Result<PathBuf> {
    let mut line = serde_json::to_vec(header).map_err(io::Error::other)?;
    line.push(b'\n');
    let dest = dir.join(format!("{}.{SUFFIX}", header.id));
    #[cfg(target_os = "linux")]
    if let Some(file) = unnamed::create(dir) {
        write_both(&file, &line, payload)?;
        if fsync {
            file.sync_data()?;
        }
        if unnamed::publish(&file, &dest).is_ok() {
            if fsync {
                File::open(dir)?.sync_all()?;
            }
            return Ok(dest);
        }
        // No way to give it a name here (an old kernel without /proc):
        // the written inode goes with the descriptor; write it again below.
    }
    let tmp_dir = dir.join(TMP_DIR);
    let tmp = tmp_dir.join(format!("{}.{SUFFIX}", header.id));
    let file = match create_new(&tmp) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            // First event on this data dir; create_dir_all tolerates the
            // hundreds of concurrent first hooks racing to do the same.
            fs::create_dir_all(&tmp_dir)?;
            create_new(&tmp)?
        }
        r => r?,
    };
    let result = (|| {
        write_both(&file, &line, payload)?;
        if fsync {
            file.sync_data()?;
        }
        fs::rename(&tmp, &dest)?;
        if fsync {
            File::open(dir)?.sync_all()?;
        }
        Ok(dest)
    })();
    if result.is_err() {
        // A half-written temp file (disk full) must not linger as an orphan.
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Records written as unnamed files (`O_TMPFILE`) and linked under their
/// final name once complete: a quarter less time than a named temp file and
/// a rename (one directory update instead of three; ~47 vs ~64 µs on ext4,
/// BENCHMARKS.md), and a hook killed midway leaves nothing behind.
#[cfg(target_os = "linux")]
mod unnamed {
    use std::ffi::CString;
    use std::fs::{File, OpenOptions};
    use std::io;
    use std::os::fd::AsRawFd;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::OpenOptionsExt;
    use std::path::Path;

    /// None where the file system or kernel has no unnamed files, or the
    /// directory does not exist yet: the caller takes the named way.
    pub(super) fn create(dir: &Path) -> Option<File> {
        OpenOptions::new()
            .write(true)
            .mode(0o600)
            .custom_flags(libc::O_TMPFILE)
            .open(dir)
            .ok()
    }

    /// Links the file under `dest`. `AT_EMPTY_PATH` on the descriptor needs
    /// Linux 6.10 for an unprivileged process; before that, the
    /// `/proc/self/fd` link does the same.
    pub(super) fn publish(file: &File, dest: &Path) -> io::Result<()> {
        let fd = file.as_raw_fd();
        let dest = CString::new(dest.as_os_str().as_bytes()).map_err(io::Error::other)?;
        // SAFETY: valid descriptor and NUL-terminated paths that outlive the calls.
        let linked = unsafe {
            libc::linkat(
                fd,
                c"".as_ptr(),
                libc::AT_FDCWD,
                dest.as_ptr(),
                libc::AT_EMPTY_PATH,
            )
        };
        if linked == 0 {
            return Ok(());
        }
        let proc_path = CString::new(format!("/proc/self/fd/{fd}")).map_err(io::Error::other)?;
        // SAFETY: as above.
        let linked = unsafe {
            libc::linkat(
                libc::AT_FDCWD,
                proc_path.as_ptr(),
                libc::AT_FDCWD,
                dest.as_ptr(),
                libc::AT_SYMLINK_FOLLOW,
            )
        };
        if linked == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }
}

/// Header line and payload in one `writev`: one syscall for the common
/// record, without copying the payload into a buffer first (a fresh hook
/// process pays a page fault for every new 4 KB it touches).
fn write_both(mut file: &File, line: &[u8], payload: &[u8]) -> io::Result<()> {
    let mut slices = [io::IoSlice::new(line), io::IoSlice::new(payload)];
    let mut bufs = &mut slices[..];
    while !bufs.is_empty() {
        match file.write_vectored(bufs) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => io::IoSlice::advance_slices(&mut bufs, n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn create_new(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

/// A record read back from the spool.
#[derive(Debug)]
pub struct Record {
    pub path: PathBuf,
    pub header: Header,
    pub payload: Vec<u8>,
}

/// Read a record. A file whose payload is shorter than its header says (an
/// orphaned temp file of a killed writer) is returned with what is there,
/// marked truncated, so nothing that reached the disk is thrown away.
pub fn read(path: &Path) -> io::Result<Record> {
    let bytes = fs::read(path)?;
    let nl = memchr_nl(&bytes).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "spool record has no header line",
        )
    })?;
    let mut header: Header = serde_json::from_slice(&bytes[..nl]).map_err(|e| {
        io::Error::new(io::ErrorKind::InvalidData, format!("bad spool header: {e}"))
    })?;
    let payload = bytes[nl + 1..].to_vec();
    if (payload.len() as u64) < header.len {
        header.truncated = true;
        header.parse_error.get_or_insert_with(|| {
            "incomplete spool record: the hook was killed while writing".into()
        });
    }
    Ok(Record {
        path: path.to_path_buf(),
        header,
        payload,
    })
}

fn memchr_nl(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'\n')
}

/// Complete records waiting in `dir`, oldest first.
pub fn pending(dir: &Path) -> io::Result<Vec<PathBuf>> {
    list(dir)
}

/// Temp files older than `min_age`: writers that were killed between create
/// and rename. Young ones may still be being written.
pub fn orphans(dir: &Path, min_age: std::time::Duration) -> io::Result<Vec<PathBuf>> {
    let now = std::time::SystemTime::now();
    Ok(list(&dir.join(TMP_DIR))?
        .into_iter()
        .filter(|p| {
            fs::metadata(p)
                .and_then(|m| m.modified())
                .map(|t| now.duration_since(t).unwrap_or_default() >= min_age)
                .unwrap_or(false)
        })
        .collect())
}

fn list(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let rd = match fs::read_dir(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        r => r?,
    };
    let mut out: Vec<PathBuf> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == SUFFIX))
        .collect();
    out.sort();
    Ok(out)
}

/// Number of records waiting (shown by `hookwatch config`).
pub fn count(dir: &Path) -> usize {
    list(dir).map(|v| v.len()).unwrap_or(0)
}
