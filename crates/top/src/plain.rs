//! `hookwatch top --once`, and `hookwatch top` into a pipe: the screen's
//! figures as plain text, sections in a fixed order, columns aligned, no
//! escape codes, no trailing spaces, so scripts and tests can read it.

use crate::fmt::{age, class_of, cut, error_text, percent, scope, short_session, spark, what};
use crate::snapshot::Snapshot;
use hookwatch_view::{Rate, StateCount};
use std::fmt::Write;

/// Recent failures printed: the screen scrolls, text does not.
pub const RECENT_LINES: usize = 20;

pub fn render(s: &Snapshot) -> String {
    let o = &s.overview;
    let t = &o.totals;
    let rate = if t.tool_calls > 0 {
        t.failures as f64 / t.tool_calls as f64
    } else {
        0.0
    };
    let mut out = format!("hookwatch top · {}\n", scope(&s.filter));
    let _ = writeln!(
        out,
        "events {} · tool calls {} · failures {} ({}) · sessions {} · StopFailures {} · guard blocks {}",
        t.events,
        t.tool_calls,
        t.failures,
        percent(rate),
        t.sessions,
        t.stop_failures,
        t.guard_blocks
    );

    section(&mut out, "Failure rate per tool");
    rates(&mut out, "tool", &o.per_tool);
    section(&mut out, "Failure rate per MCP server");
    rates(&mut out, "MCP server", &o.per_mcp_server);

    section(
        &mut out,
        "Top failures (trend: failures per day, oldest first)",
    );
    table(
        &mut out,
        &["count", "trend", "tool", "class", "fingerprint", "failure"],
        &[true, false, false, false, false, false],
        o.top_fingerprints
            .iter()
            .map(|f| {
                vec![
                    f.count.to_string(),
                    spark(&f.trend),
                    f.tool.clone(),
                    f.class.clone(),
                    f.fingerprint.clone(),
                    cut(f.command_head.as_deref().unwrap_or(""), 60),
                ]
            })
            .collect(),
        "no failures in this range",
    );

    section(&mut out, "Recent failures (newest first)");
    table(
        &mut out,
        &["id", "age", "tool", "class", "session", "error"],
        &[true, true, false, false, false, false],
        s.recent_failures
            .iter()
            .take(RECENT_LINES)
            .map(|h| {
                vec![
                    h.item.id.to_string(),
                    age(s.now_us, h.item.time_us),
                    what(&h.item),
                    class_of(&h.item),
                    short_session(h.session_id.as_deref()),
                    cut(&error_text(&h.item), 100),
                ]
            })
            .collect(),
        "no failures in this range",
    );

    section(&mut out, "StopFailures by error type");
    counts(&mut out, &["error type", "", "count"], &o.stop_failures);
    section(&mut out, "Recovery jobs by state");
    counts(&mut out, &["state", "kind", "count"], &o.recovery);

    section(&mut out, "Alert queue");
    let n = &o.alerts.notifications;
    let _ = writeln!(
        out,
        "  notifications: pending {} · dead {} · sent {}",
        total(n, "pending"),
        total(n, "dead"),
        total(n, "sent")
    );
    if !n.is_empty() {
        counts(&mut out, &["state", "target", "count"], n);
    }
    let a = &o.alerts.alerts;
    let _ = writeln!(
        out,
        "  alerts: {}",
        if a.is_empty() {
            "none".to_string()
        } else {
            by_state(a)
        }
    );
    if !a.is_empty() {
        counts(&mut out, &["state", "reason", "count"], a);
    }
    out
}

/// `notified 3 · deduplicated 2`: counts summed per state, in the order of
/// the largest first (as the view sorts them).
pub fn by_state(rows: &[StateCount]) -> String {
    let mut states: Vec<(&str, i64)> = Vec::new();
    for r in rows {
        match states.iter_mut().find(|(k, _)| *k == r.key) {
            Some((_, n)) => *n += r.count,
            None => states.push((&r.key, r.count)),
        }
    }
    states
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(" · ")
}

pub fn total(rows: &[StateCount], state: &str) -> i64 {
    rows.iter()
        .filter(|r| r.key == state)
        .map(|r| r.count)
        .sum()
}

fn section(out: &mut String, title: &str) {
    let _ = write!(out, "\n{title}\n");
}

fn rates(out: &mut String, head: &'static str, rows: &[Rate]) {
    table(
        out,
        &[head, "calls", "failures", "rate"],
        &[false, true, true, true],
        rows.iter()
            .map(|r| {
                vec![
                    r.key.clone(),
                    r.calls.to_string(),
                    r.failures.to_string(),
                    percent(r.rate()),
                ]
            })
            .collect(),
        "none in this range",
    );
}

fn counts(out: &mut String, head: &[&str; 3], rows: &[StateCount]) {
    table(
        out,
        head,
        &[false, false, true],
        rows.iter()
            .map(|r| vec![r.key.clone(), r.detail.clone(), r.count.to_string()])
            .collect(),
        "none",
    );
}

/// Columns as wide as their widest cell, two spaces apart, numbers to the
/// right; `empty` on its own line when there are no rows.
fn table(out: &mut String, head: &[&str], right: &[bool], rows: Vec<Vec<String>>, empty: &str) {
    if rows.is_empty() {
        let _ = writeln!(out, "  {empty}");
        return;
    }
    let width = |i: usize| {
        rows.iter()
            .map(|r| r[i].chars().count())
            .chain([head[i].chars().count()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..head.len()).map(width).collect();
    let head: Vec<String> = head.iter().map(|h| h.to_string()).collect();
    for row in std::iter::once(&head).chain(&rows) {
        let mut line = String::from(" ");
        // A column with neither a name nor a value takes no room.
        for (i, cell) in row.iter().enumerate().filter(|&(i, _)| widths[i] > 0) {
            let pad = widths[i].saturating_sub(cell.chars().count());
            line.push(' ');
            if right[i] {
                line.extend(std::iter::repeat_n(' ', pad));
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.extend(std::iter::repeat_n(' ', pad));
            }
            line.push(' ');
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
}
