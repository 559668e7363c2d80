//! The figures on screen at one moment, asked of `hookwatch-view` in one go.

use hookwatch_view::{Filter, Overview, SearchHit, Stack, View};
use serde::Serialize;

/// Recent failures kept for the list: more than fit on a tall terminal,
/// few enough to load every second.
pub const RECENT: usize = 100;

#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    pub filter: Filter,
    /// When it was read, µs since the epoch: ages are counted from here.
    pub now_us: i64,
    /// The newest event id when it was read; a live view reloads when it moves.
    pub latest_id: i64,
    pub overview: Overview,
    /// Tool failures and StopFailures, newest first.
    pub recent_failures: Vec<SearchHit>,
}

impl Snapshot {
    pub fn load(
        view: &View,
        filter: &Filter,
        now_us: i64,
        recent: usize,
    ) -> hookwatch_view::Result<Snapshot> {
        // The id first: an event stored while the rest is read makes the
        // next poll see a change and read again, never the other way round.
        let latest_id = view.latest_id()?;
        Ok(Snapshot {
            filter: filter.clone(),
            now_us,
            latest_id,
            overview: view.overview(filter, Stack::Class, None, now_us)?,
            recent_failures: view.recent_failures(filter, now_us, recent)?,
        })
    }
}
