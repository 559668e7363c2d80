//! The one read-side query layer: what the dashboard (`hookwatch serve`), the
//! terminal view (`hookwatch top`) and the exporters show is asked here, so
//! every front-end counts the same way and none carries its own SQL.
//!
//! Reads a store written by `hookwatch-store` through a read-only
//! connection. Over whole hours and no session, figures come from the
//! rollup tables the store keeps by trigger (migrations 0008 and 0009:
//! hours, whole days of long ranges, all time for the filter menus), so a
//! page costs about the same on a million events as on a thousand; a
//! session filter or a short range reads the events themselves through
//! their indexes.

mod filter;
mod overview;
mod pages;

pub use filter::{Bucket, Filter, Range, Stack};
pub use overview::{AlertCounts, FingerprintTrend, Overview, Point, Rate, StateCount, Totals};
pub use pages::{
    AlertItem, EventPage, FingerprintPage, JobItem, NotificationItem, SearchHit, SessionRow,
    SilenceItem, Timeline, TimelineItem, TIMELINE_CAP,
};

use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    #[error("database {path}: {source}")]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "no database at {0} yet: run Claude Code with the hook installed, or `hookwatch demo`"
    )]
    Missing(PathBuf),
    #[error("the database at {0} predates this hookwatch's views; run any `hookwatch` command that writes (e.g. `hookwatch ingest`) to upgrade it")]
    Old(PathBuf),
    #[error("search: {0}")]
    Search(String),
}

pub type Result<T> = std::result::Result<T, ViewError>;

/// A read-only view of one store.
pub struct View {
    conn: Connection,
    path: PathBuf,
}

impl View {
    /// Open the database at `path` for reading. The writer (the worker)
    /// keeps going: WAL lets readers and one writer run side by side.
    pub fn open(path: &Path) -> Result<View> {
        if !path.exists() {
            return Err(ViewError::Missing(path.to_path_buf()));
        }
        let e = |source| ViewError::Sqlite {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(e)?;
        conn.busy_timeout(Duration::from_secs(2)).map_err(e)?;
        let has_views: bool = conn
            .query_row(
                "SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE name = 'rollup_total')",
                [],
                |r| r.get(0),
            )
            .map_err(e)?;
        if !has_views {
            return Err(ViewError::Old(path.to_path_buf()));
        }
        Ok(View {
            conn,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The newest event's id (0 when empty): live views poll it.
    pub fn latest_id(&self) -> Result<i64> {
        self.one("SELECT coalesce(max(id), 0) FROM events", [])
    }

    /// Values for the filter menus: projects, tools, classes, in use. On
    /// every page: from the all-time rollup (migration 0009; a thousand rows
    /// where the hourly one has a hundred thousand on a large store).
    /// Tool names recorded since `since_us` (whole days), most used first:
    /// what hook matchers are compared with (`hookwatch doctor`).
    pub fn tools_since(&self, since_us: i64) -> Result<Vec<String>> {
        self.rows(
            "SELECT tool FROM rollup_day WHERE day_us >= ?1 AND tool != '' GROUP BY 1 ORDER BY sum(n) DESC, 1 LIMIT 500",
            [since_us - since_us.rem_euclid(86_400_000_000)],
            |r| r.get::<_, String>(0),
        )
    }

    pub fn facets(&self) -> Result<Facets> {
        let list = |sql: &str| self.rows(sql, [], |r| r.get::<_, String>(0));
        Ok(Facets {
            projects: list(
                "SELECT project FROM rollup_total WHERE project != '' GROUP BY 1 ORDER BY sum(n) DESC, 1 LIMIT 200",
            )?,
            tools: list(
                "SELECT tool FROM rollup_total WHERE tool != '' GROUP BY 1 ORDER BY sum(n) DESC, 1 LIMIT 200",
            )?,
            classes: list(
                "SELECT class FROM rollup_total WHERE class != '' GROUP BY 1 ORDER BY sum(n) DESC, 1 LIMIT 100",
            )?,
        })
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> ViewError + '_ {
        move |source| ViewError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    fn rows<T>(
        &self,
        sql: &str,
        args: impl rusqlite::Params,
        f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(self.err())?;
        let rows = stmt
            .query_map(args, f)
            .map_err(self.err())?
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(self.err())?;
        Ok(rows)
    }

    fn one<T: rusqlite::types::FromSql>(
        &self,
        sql: &str,
        args: impl rusqlite::Params,
    ) -> Result<T> {
        self.conn
            .query_row(sql, args, |r| r.get(0))
            .map_err(self.err())
    }
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Facets {
    pub projects: Vec<String>,
    pub tools: Vec<String>,
    pub classes: Vec<String>,
}

#[cfg(test)]
mod tests;
