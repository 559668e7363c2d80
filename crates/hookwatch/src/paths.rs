//! Where hookwatch keeps things. `HOOKWATCH_HOME`, when set and not empty,
//! holds both config and data (tests and CI use it); otherwise XDG.
//! An empty variable counts as unset, as the XDG spec asks.

use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Paths {
    pub config_file: PathBuf,
    pub data_dir: PathBuf,
    /// Why these paths were chosen, for `hookwatch config`.
    pub source: &'static str,
}

/// Session ids come from stdin: a fixed-shape hash, never a path component.
fn session_key(session: &str) -> String {
    blake3::hash(session.as_bytes()).to_hex()[..16].to_string()
}

fn var(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

impl Paths {
    pub fn resolve() -> Paths {
        if let Some(home) = var("HOOKWATCH_HOME") {
            return Paths {
                config_file: home.join("config.toml"),
                data_dir: home,
                source: "HOOKWATCH_HOME",
            };
        }
        let user_home = var("HOME").unwrap_or_else(|| PathBuf::from("/"));
        let config = var("XDG_CONFIG_HOME").unwrap_or_else(|| user_home.join(".config"));
        let data = var("XDG_DATA_HOME").unwrap_or_else(|| user_home.join(".local/share"));
        Paths {
            config_file: config.join("hookwatch/config.toml"),
            data_dir: data.join("hookwatch"),
            source: "XDG (set HOOKWATCH_HOME to override)",
        }
    }

    pub fn db(&self) -> PathBuf {
        self.data_dir.join("hookwatch.db")
    }

    /// Small files shared by hook processes: advice counters, allow-once
    /// tokens. Pruned by the background worker.
    pub fn state(&self) -> PathBuf {
        self.data_dir.join("state")
    }

    /// Counter of one fingerprint's failures in one session.
    pub fn failure_counter(&self, session: &str, fingerprint: &str) -> PathBuf {
        self.state()
            .join("failures")
            .join(format!("{}-{fingerprint}", session_key(session)))
    }

    /// Characters of advice given in one session.
    pub fn advice_budget(&self, session: &str) -> PathBuf {
        self.state().join("budget").join(session_key(session))
    }

    pub fn allow_once(&self) -> PathBuf {
        self.state().join("allow-once")
    }

    pub fn spool(&self) -> PathBuf {
        self.data_dir.join("spool")
    }

    /// Fallback spool when the data dir cannot be written (read-only, wrong
    /// owner, not a directory): per user and per data dir, under the temp dir.
    pub fn rescue_spool(&self) -> PathBuf {
        let tag = blake3::hash(self.data_dir.as_os_str().as_encoded_bytes()).to_hex();
        std::env::temp_dir()
            .join(format!("hookwatch-rescue-{}", unsafe { libc::getuid() }))
            .join(&tag.as_str()[..16])
    }

    /// Every place spooled events may wait in. The rescue spool sits under
    /// a shared temp dir: read it only if it is a real directory of ours, so
    /// another user cannot inject events or break queries.
    pub fn spool_dirs(&self) -> Vec<PathBuf> {
        use std::os::unix::fs::MetadataExt;
        let mut dirs = vec![self.spool()];
        let rescue = self.rescue_spool();
        let ours = |p: &std::path::Path| {
            std::fs::symlink_metadata(p)
                .is_ok_and(|m| m.is_dir() && m.uid() == unsafe { libc::getuid() })
        };
        if ours(&rescue) && rescue.parent().is_some_and(ours) {
            dirs.push(rescue);
        }
        dirs
    }

    pub fn worker_lock(&self) -> PathBuf {
        self.data_dir.join("worker.lock")
    }

    pub fn worker_log(&self) -> PathBuf {
        self.data_dir.join("worker.log")
    }

    /// Exists while the outbox has work the last worker left for later; its
    /// mtime is when that work is due. The hook stats it (one syscall) to
    /// decide whether to start a worker.
    pub fn outbox_due(&self) -> PathBuf {
        self.data_dir.join("outbox.due")
    }

    /// Its mtime is when the worker last finished deleting events past
    /// `[store] retention`; it looks again 5 minutes later.
    pub fn prune_marker(&self) -> PathBuf {
        self.data_dir.join("prune.last")
    }

    /// Records what `install` added to each settings file, so `uninstall`
    /// can undo exactly that.
    pub fn install_manifest(&self) -> PathBuf {
        self.data_dir.join("installs.json")
    }
}
