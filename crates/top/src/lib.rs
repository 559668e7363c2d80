//! `hookwatch top`: the dashboard overview's key figures live in a
//! terminal (ratatui on crossterm), or once as plain text.
//!
//! Everything shown is asked of `hookwatch-view`, as the web dashboard
//! asks it, so both count the same way. The `hookwatch top` subcommand is
//! only the glue: it makes sure the database is current, then calls
//! [`run`] on a terminal and [`text`] (or [`json`]) otherwise.

mod app;
mod fmt;
mod plain;
mod snapshot;
mod term;
mod ui;

pub use app::{App, Focus, Pane, PickKind, RANGES};
pub use snapshot::Snapshot;
pub use term::{run, Options};
pub use ui::draw;

use hookwatch_view::{Filter, View};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    View(#[from] hookwatch_view::ViewError),
    #[error("terminal: {0}")]
    Io(#[from] std::io::Error),
}

/// The figures as plain text, as `hookwatch top --once` prints them.
pub fn text(view: &View, filter: &Filter, now_us: i64) -> hookwatch_view::Result<String> {
    Snapshot::load(view, filter, now_us, plain::RECENT_LINES).map(|s| plain::render(&s))
}

/// The same figures as one JSON object (`hookwatch top --json`).
pub fn json(view: &View, filter: &Filter, now_us: i64) -> hookwatch_view::Result<String> {
    Snapshot::load(view, filter, now_us, plain::RECENT_LINES)
        .map(|s| serde_json::to_string_pretty(&s).unwrap_or_default())
}

pub fn now_us() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests;
