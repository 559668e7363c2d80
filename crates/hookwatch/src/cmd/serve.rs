//! `hookwatch serve`: the web dashboard (crates/web) on this machine's
//! store, with the CLI's own code behind its actions.

use crate::paths::Paths;
use crate::worker::now_us;
use anyhow::{bail, Context, Result};
use std::net::SocketAddr;
use std::path::PathBuf;

pub struct ServeArgs {
    pub addr: SocketAddr,
    pub open: bool,
    pub read_only: bool,
    /// Require the access token (mandatory off loopback).
    pub token: bool,
    pub host_names: Vec<String>,
}

pub fn serve(a: ServeArgs) -> Result<()> {
    let paths = Paths::resolve();
    let loopback = a.addr.ip().is_loopback();
    if !loopback && !a.token {
        bail!(
            "refusing to serve on {} without an access token: anyone who can reach it would see your \
             agents' commands and errors. Pass --token to require one (generated on first use, kept \
             in {} with mode 0600), or bind 127.0.0.1",
            a.addr,
            token_path(&paths).display()
        );
    }
    let token = if a.token {
        Some(load_or_create_token(&paths)?)
    } else {
        None
    };
    // Make sure the database exists and has the views (migrations run on
    // open), and take in what the spool holds: the first page is current.
    crate::cmd::ingest::open_fresh(&paths)?;
    // The hook wakes the worker only at turn ends (starting it would cost
    // every hook); the dashboard shows events as they happen, so while it
    // runs it moves the spool into the store itself, four times a second. Exactly
    // once still holds: ingest is idempotent and the spool file goes only
    // after its row is committed.
    spawn_ingest_loop(paths.clone());
    let cfg = hookwatch_web::Config {
        addr: a.addr,
        db: paths.db(),
        token: token.as_ref().map(|(t, _)| t.clone()),
        read_only: a.read_only,
        host_names: a.host_names,
        threads: 4,
    };
    let open = a.open;
    let read_only = a.read_only;
    hookwatch_web::serve(cfg, Box::new(CliActions), |bound| {
        let host = if bound.ip().is_unspecified() || bound.ip().is_loopback() {
            format!("127.0.0.1:{}", bound.port())
        } else {
            bound.to_string()
        };
        let url = match &token {
            // The token goes into the URL only the time it is made.
            Some((t, true)) => format!("http://{host}/?token={t}"),
            _ => format!("http://{host}/"),
        };
        println!("hookwatch dashboard: {url}");
        if let Some((_, fresh)) = &token {
            if *fresh {
                println!(
                    "(access token created and kept in {}; it is printed only this once)",
                    token_path(&paths).display()
                );
            } else {
                println!(
                    "(access token required: see {}; open {url}?token=<token> once)",
                    token_path(&paths).display()
                );
            }
        }
        if bound.ip().is_unspecified() {
            println!(
                "listening on every interface: reach it as 127.0.0.1, or by a name or address given with --host-name (others are refused, against DNS rebinding)"
            );
        }
        if read_only {
            println!("read-only: the dashboard cannot add silences, retry or cancel");
        }
        println!("Ctrl-C stops it.");
        if open {
            let _ = std::process::Command::new("xdg-open")
                .arg(&url)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn();
        }
    })
    .map_err(|e| anyhow::anyhow!(e))
}

fn spawn_ingest_loop(paths: Paths) {
    std::thread::spawn(move || {
        let mut store = match crate::cmd::ingest::open_fresh(&paths) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("hookwatch serve: new events will show after the worker runs: {e:#}");
                return;
            }
        };
        loop {
            std::thread::sleep(std::time::Duration::from_millis(250));
            let pending = paths
                .spool_dirs()
                .iter()
                .any(|d| std::fs::read_dir(d).is_ok_and(|mut entries| entries.next().is_some()));
            if pending {
                if let Err(e) = store.ingest(&paths.spool_dirs()) {
                    eprintln!("hookwatch serve: cannot ingest the spool: {e}");
                } else {
                    let _ = crate::cmd::ingest::analyse(&mut store, 1000);
                }
            }
        }
    });
}

fn token_path(paths: &Paths) -> PathBuf {
    paths.data_dir.join("serve-token")
}

/// The stored access token, or a new one written with mode 0600. The bool
/// says it was just made.
fn load_or_create_token(paths: &Paths) -> Result<(String, bool)> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let path = token_path(paths);
    if let Ok(t) = std::fs::read_to_string(&path) {
        let t = t.trim().to_string();
        let mode = std::fs::metadata(&path)?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            bail!(
                "{} is readable by others (mode {mode:o}); run `chmod 600 {}` or delete it for a new token",
                path.display(),
                path.display()
            );
        }
        if t.len() >= 32 {
            return Ok((t, false));
        }
    }
    std::fs::create_dir_all(&paths.data_dir)
        .with_context(|| format!("cannot create {}", paths.data_dir.display()))?;
    let t = hookwatch_web::security::random_hex(24).context("/dev/urandom")?;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .or_else(|_| {
            std::fs::remove_file(&path)?;
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
        })
        .with_context(|| format!("cannot write {}", path.display()))?;
    writeln!(f, "{t}")?;
    Ok((t, true))
}

/// The dashboard's actions: the CLI's functions, errors as messages.
struct CliActions;

impl hookwatch_web::Actions for CliActions {
    fn add_silence(
        &self,
        matchers: &[String],
        duration: &str,
        comment: &str,
        author: &str,
    ) -> Result<i64, String> {
        crate::cmd::alerts::create_silence(matchers, Some(duration), None, comment, Some(author))
            .map(|(id, ..)| id)
            .map_err(|e| format!("{e:#}"))
    }

    fn expire_silence(&self, id: i64) -> Result<(), String> {
        let paths = Paths::resolve();
        let mut store = crate::cmd::ingest::open_fresh(&paths).map_err(|e| format!("{e:#}"))?;
        match store.expire_silence(id, now_us()) {
            Ok(true) => Ok(()),
            Ok(false) => Err(format!("no active or pending silence {id}")),
            Err(e) => Err(e.to_string()),
        }
    }

    fn retry_notification(&self, id: i64) -> Result<(), String> {
        crate::cmd::alerts::requeue(id).map_err(|e| format!("{e:#}"))
    }

    fn cancel_job(&self, id: i64) -> Result<(), String> {
        crate::cmd::recover::cancel_job(id).map_err(|e| format!("{e:#}"))
    }
}
