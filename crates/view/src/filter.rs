//! What a page is asked for: a time range and filters, as they appear in a
//! URL (`?range=7d&project=/w/app&tool=Bash&class=test&session=…`) and on
//! the command line.

use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

pub const HOUR_US: i64 = 3_600_000_000;
pub const DAY_US: i64 = 24 * HOUR_US;

/// A time range: the last `n` units, everything, or explicit bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Range {
    /// The last this many microseconds.
    Last(i64),
    All,
    /// `[from, to)` in µs since the epoch.
    Between(i64, i64),
}

impl Range {
    /// `1h`, `24h`, `7d`, `30d`, `90d`, `all`.
    pub fn parse(s: &str) -> Option<Range> {
        if s == "all" {
            return Some(Range::All);
        }
        let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit())?);
        let n: i64 = num.parse().ok().filter(|&n| n > 0 && n < 100_000)?;
        let us = match unit {
            "m" => 60_000_000,
            "h" => HOUR_US,
            "d" => DAY_US,
            "w" => 7 * DAY_US,
            _ => return None,
        };
        Some(Range::Last(n * us))
    }

    /// The name [`Range::parse`] reads back, when there is one.
    pub fn name(&self) -> String {
        match *self {
            Range::All => "all".into(),
            Range::Last(us) if us % DAY_US == 0 && us > DAY_US => format!("{}d", us / DAY_US),
            Range::Last(us) if us % HOUR_US == 0 => format!("{}h", us / HOUR_US),
            Range::Last(us) => format!("{}m", us / 60_000_000),
            Range::Between(..) => "custom".into(),
        }
    }

    /// `[from, to)` at `now_us`.
    pub fn bounds(&self, now_us: i64) -> (i64, i64) {
        match *self {
            Range::Last(us) => (now_us - us, now_us + 1),
            Range::All => (0, i64::MAX),
            Range::Between(a, b) => (a, b),
        }
    }
}

/// Bucket of a time series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Bucket {
    Hour,
    Day,
}

impl Bucket {
    pub fn us(self) -> i64 {
        match self {
            Bucket::Hour => HOUR_US,
            Bucket::Day => DAY_US,
        }
    }

    pub fn parse(s: &str) -> Option<Bucket> {
        match s {
            "hour" => Some(Bucket::Hour),
            "day" => Some(Bucket::Day),
            _ => None,
        }
    }

    /// Hours up to three days, days beyond: 24 to 90 bars either way.
    pub fn auto(from_us: i64, to_us: i64) -> Bucket {
        if to_us.saturating_sub(from_us) <= 3 * DAY_US {
            Bucket::Hour
        } else {
            Bucket::Day
        }
    }
}

/// What the failures over time are stacked by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stack {
    Class,
    Tool,
}

impl Stack {
    pub fn parse(s: &str) -> Option<Stack> {
        match s {
            "class" => Some(Stack::Class),
            "tool" => Some(Stack::Tool),
            _ => None,
        }
    }
}

/// The filters every page takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    pub range: Range,
    pub project: Option<String>,
    pub tool: Option<String>,
    pub class: Option<String>,
    pub session: Option<String>,
}

impl Default for Filter {
    fn default() -> Self {
        Filter {
            range: Range::Last(7 * DAY_US),
            project: None,
            tool: None,
            class: None,
            session: None,
        }
    }
}

/// Where counts come from: the hourly rollup, or the events themselves.
pub(crate) struct Source {
    pub table: &'static str,
    pub time: &'static str,
    pub n: &'static str,
    pub tool: &'static str,
    pub mcp: &'static str,
    pub class: &'static str,
    pub project: &'static str,
}

pub(crate) const ROLLUP: Source = Source {
    table: "rollup_hour",
    time: "hour_us",
    n: "n",
    tool: "tool",
    mcp: "mcp_server",
    class: "class",
    project: "project",
};

pub(crate) const EVENTS: Source = Source {
    table: "events",
    time: "time_us",
    n: "1",
    tool: "coalesce(tool_name, '')",
    mcp: "coalesce(mcp_server, '')",
    class: "coalesce(class, '')",
    project: "coalesce(project, '')",
};

/// The rollup rows of `[from, to)` (hour-aligned): `rollup_hour` where the
/// range has no whole UTC day, else its whole days from `rollup_day` (a
/// third of the rows on a large store) and the hours around them from
/// `rollup_hour`, under rollup_hour's column names. Bounds are integers
/// computed here, not input.
pub(crate) fn rollup_span(from: i64, to: i64) -> String {
    let first_day = from.saturating_add(DAY_US - 1).div_euclid(DAY_US) * DAY_US;
    let end_day = to.div_euclid(DAY_US) * DAY_US;
    if end_day <= first_day {
        return ROLLUP.table.to_string();
    }
    // Three arms, so each reads a range of its table's key (an OR of the
    // two hour ranges made SQLite read every hour of the range).
    format!(
        "(SELECT hour_us, event, project, tool, mcp_server, class, n FROM rollup_hour
           WHERE hour_us < {first_day}
          UNION ALL
          SELECT hour_us, event, project, tool, mcp_server, class, n FROM rollup_hour
           WHERE hour_us >= {end_day}
          UNION ALL
          SELECT day_us, event, project, tool, mcp_server, class, n FROM rollup_day
           WHERE day_us >= {first_day} AND day_us < {end_day})"
    )
}

impl Filter {
    /// The rollup counts whole hours, so it answers when the range is whole
    /// hours (`all`, or `Last` of whole hours rounded out) and no session is
    /// asked for.
    pub(crate) fn source(&self) -> &'static Source {
        if self.session.is_some() {
            &EVENTS
        } else {
            &ROLLUP
        }
    }

    /// `[from, to)` at `now_us`; for the rollup, widened to whole hours
    /// (a range of the last 24 hours counts 24 or 25 hourly rows).
    pub(crate) fn bounds(&self, now_us: i64) -> (i64, i64) {
        let (from, to) = self.range.bounds(now_us);
        if self.session.is_some() {
            (from, to)
        } else {
            (from - from.rem_euclid(HOUR_US), to)
        }
    }

    /// `AND …` clauses for `src` and their arguments, numbered from `?1`.
    pub(crate) fn clauses(&self, src: &Source, now_us: i64) -> (String, Vec<Value>) {
        self.clauses_after(src, now_us, 0)
    }

    /// [`Filter::clauses`] numbered from `?{taken + 1}`, after `taken`
    /// arguments of the query's own.
    pub(crate) fn clauses_after(
        &self,
        src: &Source,
        now_us: i64,
        taken: usize,
    ) -> (String, Vec<Value>) {
        let (from, to) = self.bounds(now_us);
        let mut sql = format!(
            " AND {t} >= ?{} AND {t} < ?{}",
            taken + 1,
            taken + 2,
            t = src.time
        );
        let mut args: Vec<Value> = vec![from.into(), to.into()];
        let mut add = |col: &str, v: &Option<String>| {
            if let Some(v) = v {
                args.push(v.clone().into());
                sql.push_str(&format!(" AND {col} = ?{}", taken + args.len()));
            }
        };
        add(src.project, &self.project);
        add(src.tool, &self.tool);
        add(src.class, &self.class);
        if self.session.is_some() {
            add("session_id", &self.session);
        }
        (sql, args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_read_back() {
        for s in ["1h", "24h", "7d", "30d", "90d", "all", "15m", "2d"] {
            assert_eq!(Range::parse(s).unwrap().name(), s);
        }
        for s in ["", "d", "0d", "-1d", "7x", "999999d", "7d7"] {
            assert_eq!(Range::parse(s), None, "{s}");
        }
    }
}
