//! The overview: failures over time, failure rates, top fingerprints,
//! StopFailures, guard decisions, alerts and recovery jobs.

use crate::filter::{rollup_span, Bucket, Filter, Source, Stack, DAY_US, EVENTS, ROLLUP};
use crate::{Result, View};
use rusqlite::params_from_iter;
use rusqlite::types::Value;
use serde::Serialize;

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Totals {
    pub events: i64,
    /// PostToolUse + PostToolUseFailure.
    pub tool_calls: i64,
    pub failures: i64,
    pub stop_failures: i64,
    pub sessions: i64,
    pub guard_blocks: i64,
}

/// One bar segment: `count` failures of `key` in the bucket starting at `t_us`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Point {
    pub t_us: i64,
    pub key: String,
    pub count: i64,
}

/// Calls and failures of one tool or MCP server.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Rate {
    pub key: String,
    pub calls: i64,
    pub failures: i64,
}

impl Rate {
    pub fn rate(&self) -> f64 {
        if self.calls == 0 {
            0.0
        } else {
            self.failures as f64 / self.calls as f64
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FingerprintTrend {
    pub fingerprint: String,
    pub tool: String,
    pub class: String,
    pub command_head: Option<String>,
    pub count: i64,
    pub last_id: i64,
    /// Failures per day over the range (oldest first, at most 30 days).
    pub trend: Vec<i64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StateCount {
    pub key: String,
    pub detail: String,
    pub count: i64,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct AlertCounts {
    /// Routed alerts per state (notified, deduplicated, silenced, inhibited, pending).
    pub alerts: Vec<StateCount>,
    /// Notifications per state (sent, pending, dead).
    pub notifications: Vec<StateCount>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Overview {
    pub from_us: i64,
    pub to_us: i64,
    pub bucket: Bucket,
    pub stack: Stack,
    pub totals: Totals,
    /// Failures per bucket, stacked by class or tool (every bucket of the
    /// range is present in `buckets`, zero or not).
    pub buckets: Vec<i64>,
    pub series: Vec<Point>,
    pub per_tool: Vec<Rate>,
    pub per_mcp_server: Vec<Rate>,
    pub top_fingerprints: Vec<FingerprintTrend>,
    pub stop_failures: Vec<StateCount>,
    /// Decision, policy, count.
    pub guard: Vec<StateCount>,
    pub alerts: AlertCounts,
    /// Recovery jobs per state (and kind as detail).
    pub recovery: Vec<StateCount>,
}

impl View {
    pub fn overview(
        &self,
        f: &Filter,
        stack: Stack,
        bucket: Option<Bucket>,
        now_us: i64,
    ) -> Result<Overview> {
        let src = f.source();
        let (where_, args) = f.clauses(src, now_us);
        let (mut from, to) = f.bounds(now_us);
        if from == 0 {
            // `all`: start at the first event.
            from = self
                .one::<Option<i64>>(
                    &format!(
                        "SELECT min({}) FROM {} WHERE 1=1{where_}",
                        src.time, src.table
                    ),
                    params_from_iter(&args),
                )?
                .unwrap_or(now_us);
        }
        let to = to.min(now_us + 1);
        let bucket = bucket.unwrap_or_else(|| Bucket::auto(from, to));
        let b = bucket.us();
        let first = from - from.rem_euclid(b);
        let buckets: Vec<i64> = (0..)
            .map(|i| first + i * b)
            .take_while(|&t| t < to)
            .take(2000)
            .collect();

        // Long ranges read their whole days from the daily rollup; a series
        // by the hour needs the hourly one throughout.
        let tbl = if src.table == ROLLUP.table {
            rollup_span(from, to)
        } else {
            src.table.to_string()
        };
        let series_tbl = if bucket == Bucket::Day {
            tbl.as_str()
        } else {
            src.table
        };
        let totals = self.totals(f, src, &tbl, &where_, &args, now_us)?;
        let key = match stack {
            Stack::Class => format!(
                "CASE {c} WHEN '' THEN 'unclassified' ELSE {c} END",
                c = src.class
            ),
            Stack::Tool => src.tool.to_string(),
        };
        let series = self.rows(
            &format!(
                "SELECT ({t} - ({t} % {b})), {key}, sum({n}) FROM {series_tbl}
                 WHERE event = 'PostToolUseFailure'{where_} GROUP BY 1, 2 ORDER BY 1, 3 DESC",
                t = src.time,
                n = src.n,
            ),
            params_from_iter(&args),
            |r| {
                Ok(Point {
                    t_us: r.get(0)?,
                    key: r.get(1)?,
                    count: r.get(2)?,
                })
            },
        )?;
        let rates = |col: &str| {
            self.rows(
                &format!(
                    "SELECT {col}, sum({n}), sum(CASE WHEN event = 'PostToolUseFailure' THEN {n} ELSE 0 END)
                     FROM {tbl} WHERE event IN ('PostToolUse', 'PostToolUseFailure') AND {col} != ''{where_}
                     GROUP BY 1 ORDER BY 3 DESC, 2 DESC, 1 LIMIT 50",
                    n = src.n,
                ),
                params_from_iter(&args),
                |r| {
                    Ok(Rate {
                        key: r.get(0)?,
                        calls: r.get(1)?,
                        failures: r.get(2)?,
                    })
                },
            )
        };
        let per_tool = rates(src.tool)?;
        let per_mcp_server = rates(src.mcp)?;
        let top_fingerprints = self.top_fingerprints(f, now_us, 10)?;
        // StopFailures and guard decisions are few: the events' indexes.
        let (ewhere, eargs) = f.clauses(&EVENTS, now_us);
        let stop_failures = self.rows(
            &format!(
                "SELECT coalesce(error, 'unknown'), '', count(*) FROM events
                 WHERE event = 'StopFailure'{ewhere} GROUP BY 1 ORDER BY 3 DESC, 1"
            ),
            params_from_iter(&eargs),
            state_count,
        )?;
        // The partial index of the few decided calls, not the time index
        // SQLite takes for the range (720 ms over all of a million events).
        let guard = self.rows(
            &format!(
                "SELECT guard_decision, coalesce(json_extract(outcome, '$.guard.policy'), ''), count(*)
                 FROM events INDEXED BY events_guard WHERE guard_decision IS NOT NULL{ewhere}
                 GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2"
            ),
            params_from_iter(&eargs),
            state_count,
        )?;
        let (afrom, ato) = (from, to);
        let alerts = AlertCounts {
            alerts: self.rows(
                "SELECT state, coalesce(reason, ''), count(*) FROM alerts
                 WHERE routed_us >= ?1 AND routed_us < ?2 GROUP BY 1, 2 ORDER BY 3 DESC",
                [afrom, ato],
                state_count,
            )?,
            notifications: self.rows(
                "SELECT state, target, count(*) FROM notifications
                 WHERE created_us >= ?1 AND created_us < ?2 GROUP BY 1, 2 ORDER BY 3 DESC",
                [afrom, ato],
                state_count,
            )?,
        };
        let recovery = self.rows(
            "SELECT state, kind, count(*) FROM recover_jobs
             WHERE created_us >= ?1 AND created_us < ?2 GROUP BY 1, 2 ORDER BY 3 DESC",
            [afrom, ato],
            state_count,
        )?;
        Ok(Overview {
            from_us: from,
            to_us: to,
            bucket,
            stack,
            totals,
            buckets,
            series,
            per_tool,
            per_mcp_server,
            top_fingerprints,
            stop_failures,
            guard,
            alerts,
            recovery,
        })
    }

    fn totals(
        &self,
        f: &Filter,
        src: &Source,
        tbl: &str,
        where_: &str,
        args: &[Value],
        now_us: i64,
    ) -> Result<Totals> {
        let (events, tool_calls, failures, stop_failures) = self
            .conn
            .query_row(
                &format!(
                    "SELECT coalesce(sum({n}), 0),
                            coalesce(sum(CASE WHEN event IN ('PostToolUse', 'PostToolUseFailure') THEN {n} END), 0),
                            coalesce(sum(CASE WHEN event = 'PostToolUseFailure' THEN {n} END), 0),
                            coalesce(sum(CASE WHEN event = 'StopFailure' THEN {n} END), 0)
                     FROM {tbl} WHERE 1=1{where_}",
                    n = src.n,
                ),
                params_from_iter(args),
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .map_err(self.err())?;
        let (ewhere, eargs) = f.clauses(&EVENTS, now_us);
        let guard_blocks = self.one(
            &format!("SELECT count(*) FROM events WHERE guard_decision IN ('deny', 'ask'){ewhere}"),
            params_from_iter(&eargs),
        )?;
        let sessions = if f.session.is_some() {
            1
        } else {
            // Sessions active in the range; a tool or class filter asks
            // for sessions that had such events.
            let (from, to) = f.bounds(now_us);
            let mut sql = String::from(
                "SELECT count(*) FROM session_summary s WHERE s.last_us >= ?1 AND s.first_us < ?2",
            );
            let mut a: Vec<Value> = vec![from.into(), to.into()];
            if let Some(p) = &f.project {
                a.push(p.clone().into());
                sql.push_str(&format!(" AND s.project = ?{}", a.len()));
            }
            sql.push_str(&crate::pages::session_has(f, &mut a));
            self.one(&sql, params_from_iter(&a))?
        };
        Ok(Totals {
            events,
            tool_calls,
            failures,
            stop_failures,
            sessions,
            guard_blocks,
        })
    }

    /// The most frequent failure fingerprints in the range, with a daily trend.
    pub fn top_fingerprints(
        &self,
        f: &Filter,
        now_us: i64,
        limit: usize,
    ) -> Result<Vec<FingerprintTrend>> {
        let (from, to) = f.range.bounds(now_us);
        let to = to.min(now_us + 1);
        // The trend: one point per day, the last 30 days of the range at most.
        let last_day = (to - 1) - (to - 1).rem_euclid(DAY_US);
        let first_day = (from - from.rem_euclid(DAY_US)).max(last_day - 29 * DAY_US);
        let days = ((last_day - first_day) / DAY_US + 1) as usize;
        let mut rows = if f.session.is_some() {
            let (w, a) = f.clauses(&EVENTS, now_us);
            self.rows(
                &format!(
                    "SELECT fingerprint, coalesce(max(tool_name), ''), coalesce(max(class), ''), count(*), max(id)
                     FROM events WHERE event = 'PostToolUseFailure' AND fingerprint IS NOT NULL
                       AND fingerprint != '-'{w}
                     GROUP BY 1 ORDER BY 4 DESC, 5 DESC LIMIT {limit}"
                ),
                params_from_iter(&a),
                fp_row,
            )?
        } else {
            let mut sql = String::from(
                "SELECT fingerprint, max(tool), max(class), sum(n), max(last_id)
                 FROM rollup_fingerprint_day WHERE day_us >= ?1 AND day_us < ?2",
            );
            let mut a: Vec<Value> = vec![(from - from.rem_euclid(DAY_US)).into(), to.into()];
            for (col, v) in [
                ("project", &f.project),
                ("tool", &f.tool),
                ("class", &f.class),
            ] {
                if let Some(v) = v {
                    a.push(v.clone().into());
                    sql.push_str(&format!(" AND {col} = ?{}", a.len()));
                }
            }
            sql.push_str(&format!(
                " GROUP BY 1 ORDER BY 4 DESC, 5 DESC LIMIT {limit}"
            ));
            self.rows(&sql, params_from_iter(&a), fp_row)?
        };
        for row in &mut rows {
            let mut trend = vec![0i64; days];
            let counts = self.rows(
                "SELECT day_us, sum(n) FROM rollup_fingerprint_day
                 WHERE fingerprint = ?1 AND day_us >= ?2 AND day_us <= ?3 GROUP BY 1",
                rusqlite::params![row.fingerprint, first_day, last_day],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
            )?;
            for (day, n) in counts {
                if let Some(slot) = usize::try_from((day - first_day) / DAY_US)
                    .ok()
                    .and_then(|i| trend.get_mut(i))
                {
                    *slot += n;
                }
            }
            row.trend = trend;
            row.command_head = self
                .conn
                .query_row(
                    "SELECT command_head FROM events WHERE id = ?1",
                    [row.last_id],
                    |r| r.get(0),
                )
                .unwrap_or(None);
        }
        Ok(rows)
    }
}

fn state_count(r: &rusqlite::Row<'_>) -> rusqlite::Result<StateCount> {
    Ok(StateCount {
        key: r.get(0)?,
        detail: r.get(1)?,
        count: r.get(2)?,
    })
}

fn fp_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<FingerprintTrend> {
    Ok(FingerprintTrend {
        fingerprint: r.get(0)?,
        tool: r.get(1)?,
        class: r.get(2)?,
        command_head: None,
        count: r.get(3)?,
        last_id: r.get(4)?,
        trend: Vec::new(),
    })
}
