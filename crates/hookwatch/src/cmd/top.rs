//! `hookwatch top`: the live terminal view (crates/top) on this machine's
//! store, or its figures once as plain text or JSON.

use crate::paths::Paths;
use crate::worker::now_us;
use anyhow::Result;
use hookwatch_view::{Filter, Range, View};
use std::io::{IsTerminal, Write};

pub struct TopArgs {
    pub project: Option<String>,
    pub session: Option<String>,
    pub range: Range,
    pub once: bool,
    pub json: bool,
}

pub fn top(a: TopArgs) -> Result<()> {
    let filter = Filter {
        range: a.range,
        project: a.project,
        session: a.session,
        ..Filter::default()
    };
    let paths = Paths::resolve();
    // The database exists and has the views (migrations run on open), and
    // holds what the spool had: the first screen is current.
    let mut store = crate::cmd::ingest::open_fresh(&paths)?;
    let db = paths.db();
    // Into a pipe or a file, never escape codes: the text, once.
    if a.once || a.json || !std::io::stdout().is_terminal() {
        let view = View::open(&db)?;
        let out = if a.json {
            hookwatch_top::json(&view, &filter, now_us())?
        } else {
            hookwatch_top::text(&view, &filter, now_us())?
        };
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(out.as_bytes())?;
        if a.json {
            writeln!(stdout)?;
        }
        return Ok(());
    }
    // Live: take in what the hook spooled each second, as `tail` does, so a
    // failure shows while the agent's turn goes on (the hook wakes the worker
    // mostly at the end of a turn).
    let spool = paths.spool_dirs();
    let mut ingest = || -> Result<(), String> {
        store
            .ingest(&spool)
            .map_err(|e| format!("cannot move spooled events into the database: {e}"))?;
        crate::cmd::ingest::analyse(&mut store, 1000).map_err(|e| format!("{e:#}"))
    };
    hookwatch_top::run(hookwatch_top::Options::new(db, filter), &mut ingest)?;
    Ok(())
}
