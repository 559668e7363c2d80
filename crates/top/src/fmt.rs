//! How figures are written, the same on the screen and in plain text.

use hookwatch_view::{Filter, Range, TimelineItem};

/// `40.0 %`, `0 %`, `<0.1 %`: the dashboard's way.
pub fn percent(x: f64) -> String {
    if x == 0.0 {
        "0 %".into()
    } else if x < 0.001 {
        "<0.1 %".into()
    } else {
        format!("{:.1} %", x * 100.0)
    }
}

/// How long ago, in the largest whole unit: `12s`, `5m`, `2h`, `3d`.
pub fn age(now_us: i64, t_us: i64) -> String {
    let s = (now_us - t_us).max(0) / 1_000_000;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86_400 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// One line of at most `max` characters, each run of white space and
/// control characters one space, an ellipsis where it was cut: error
/// texts carry newlines, indentation and escapes that would break a row.
pub fn cut(s: &str, max: usize) -> String {
    let line = s
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if line.chars().count() <= max {
        line
    } else {
        let mut t: String = line.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// A sparkline, one character per value: zero is the lowest bar and any
/// failure at least the second, so a single one stays visible.
pub fn spark(values: &[i64]) -> String {
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    values
        .iter()
        .map(|&v| {
            if v <= 0 {
                BARS[0]
            } else {
                BARS[((v * 7 + max - 1) / max).clamp(1, 7) as usize]
            }
        })
        .collect()
}

/// What failed: the tool, or `StopFailure` for an API error that ended a turn.
pub fn what(item: &TimelineItem) -> String {
    match (&*item.event, &item.tool_name) {
        ("PostToolUseFailure", Some(t)) if !t.is_empty() => t.clone(),
        (e, _) => e.to_string(),
    }
}

/// The error as stored (scrubbed); for a StopFailure the message Claude
/// Code showed says more than its error type, which has its own column.
pub fn error_text(item: &TimelineItem) -> String {
    let text = match item.event.as_str() {
        "StopFailure" => item.message.as_deref().or(item.error.as_deref()),
        _ => item.error.as_deref().or(item.summary.as_deref()),
    };
    text.unwrap_or("").to_string()
}

/// The class column: a tool failure's class, a StopFailure's error type.
pub fn class_of(item: &TimelineItem) -> String {
    match item.event.as_str() {
        "StopFailure" => item.error.clone().unwrap_or_default(),
        _ => item.class.clone().unwrap_or_default(),
    }
}

/// Session ids are UUIDs: their first eight characters tell them apart.
pub fn short_session(s: Option<&str>) -> String {
    s.map(|s| s.chars().take(8).collect()).unwrap_or_default()
}

/// What is shown: `last 7d · all projects · all sessions`.
pub fn scope(f: &Filter) -> String {
    let range = match f.range {
        Range::All => "all time".to_string(),
        r => format!("last {}", r.name()),
    };
    let project = match &f.project {
        Some(p) => format!("project {p}"),
        None => "all projects".into(),
    };
    let session = match &f.session {
        Some(s) => format!("session {s}"),
        None => "all sessions".into(),
    };
    format!("{range} · {project} · {session}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_well() {
        assert_eq!(percent(0.4), "40.0 %");
        assert_eq!(percent(0.0), "0 %");
        assert_eq!(percent(0.0001), "<0.1 %");
        assert_eq!(age(100_000_000, 95_000_000), "5s");
        assert_eq!(age(7_200_000_000, 0), "2h");
        assert_eq!(age(0, 5), "0s");
        assert_eq!(age(10 * 86_400_000_000, 0), "10d");
        assert_eq!(cut("a\nb", 10), "a b");
        assert_eq!(
            cut("  Exit 1\n\n  ! [rejected]\x1b[0m ", 30),
            "Exit 1 ! [rejected] [0m"
        );
        assert_eq!(cut("abcdef", 4), "abc…");
        assert_eq!(cut("abc", 0), "…");
        assert_eq!(spark(&[0, 1, 10]), "▁▂█");
        assert_eq!(spark(&[]), "");
        assert_eq!(spark(&[0, 0]), "▁▁");
    }
}
