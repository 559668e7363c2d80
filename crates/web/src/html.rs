//! HTML building blocks: escaping, the page frame, tables, charts. Pages
//! are rendered on the server; every value goes through [`esc`].

use std::fmt::Write as _;

/// Escape text for HTML element content and quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encode a URL component (path segment or query value).
pub fn url(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// `2026-12-04 10:13:05` (UTC) from µs since the epoch.
pub fn time(us: i64) -> String {
    let secs = us.div_euclid(1_000_000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// `2026-12-04` or `12-04 10:00` for a bucket start.
pub fn bucket_label(us: i64, hourly: bool) -> String {
    let t = time(us);
    if hourly {
        t[5..16].to_string()
    } else {
        t[..10].to_string()
    }
}

/// Days since 1970-01-01 to (year, month, day) (Howard Hinnant's algorithm).
fn civil(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `3 s`, `4 min`, `2 h 5 min`.
pub fn duration(us: i64) -> String {
    let s = us / 1_000_000;
    if s < 60 {
        format!("{s} s")
    } else if s < 3600 {
        format!("{} min", s / 60)
    } else if s < 86_400 {
        format!("{} h {} min", s / 3600, s % 3600 / 60)
    } else {
        format!("{} d {} h", s / 86_400, s % 86_400 / 3600)
    }
}

/// `1 failure`, `3 failures`.
pub fn count(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub fn percent(x: f64) -> String {
    if x == 0.0 {
        "0 %".into()
    } else if x < 0.001 {
        "<0.1 %".into()
    } else {
        format!("{:.1} %", x * 100.0)
    }
}

/// Shorten to `max` characters with an ellipsis.
pub fn cut(s: &str, max: usize) -> String {
    let one_line: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.chars().count() <= max {
        one_line
    } else {
        let mut t: String = one_line.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Colours for stacked series, in order; the same key gets the same colour
/// on every page of a response.
pub const PALETTE: &[&str] = &[
    "#d9534f", "#f0ad4e", "#5bc0de", "#5cb85c", "#9b59b6", "#34495e", "#e67e22", "#1abc9c",
    "#95a5a6", "#c0392b",
];

/// A stacked bar chart as inline SVG: `buckets` on the x axis, one
/// segment per key. `series` is (bucket index, key index, count).
pub fn stacked_bars(
    buckets: &[String],
    keys: &[String],
    series: &[(usize, usize, i64)],
    label: &str,
) -> String {
    let (w, h, left, bottom) = (900.0, 220.0, 40.0, 28.0);
    let n = buckets.len().max(1) as f64;
    let mut totals = vec![0i64; buckets.len()];
    for &(b, _, c) in series {
        if let Some(t) = totals.get_mut(b) {
            *t += c;
        }
    }
    let max = totals.iter().copied().max().unwrap_or(0).max(1) as f64;
    // A few buckets (a failure seen on one day) stay bars, not a wall.
    let bw = ((w - left) / n).min(36.0);
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{}"><title>{}</title>"#,
        esc(label),
        esc(label)
    );
    // Axis: max and zero.
    let _ = write!(
        svg,
        r#"<text x="0" y="12" class="axis">{}</text><text x="0" y="{}" class="axis">0</text>"#,
        max as i64,
        h - bottom
    );
    let mut stack = vec![0.0f64; buckets.len()];
    for &(b, k, c) in series {
        if b >= buckets.len() || c <= 0 {
            continue;
        }
        let seg = (h - bottom - 4.0) * c as f64 / max;
        stack[b] += seg;
        let y = h - bottom - stack[b];
        let _ = write!(
            svg,
            r#"<rect x="{:.1}" y="{y:.1}" width="{:.1}" height="{seg:.1}" fill="{}"><title>{} · {}: {c}</title></rect>"#,
            left + b as f64 * bw + 1.0,
            (bw - 2.0).max(1.0),
            PALETTE[k % PALETTE.len()],
            esc(&buckets[b]),
            esc(&keys[k])
        );
    }
    // A few x labels.
    let every = (buckets.len() / 8).max(1);
    for (i, b) in buckets.iter().enumerate().filter(|(i, _)| i % every == 0) {
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{}" class="axis">{}</text>"#,
            left + i as f64 * bw,
            h - 8.0,
            esc(b)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A small trend line (sparkline) of counts.
pub fn sparkline(values: &[i64]) -> String {
    let (w, h) = (120.0, 24.0);
    let max = values.iter().copied().max().unwrap_or(0).max(1) as f64;
    let n = (values.len().max(2) - 1) as f64;
    let points: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            format!(
                "{:.1},{:.1}",
                i as f64 * w / n,
                h - 2.0 - (h - 4.0) * v as f64 / max
            )
        })
        .collect();
    format!(
        r#"<svg class="spark" viewBox="0 0 {w} {h}" aria-hidden="true"><polyline points="{}"/></svg>"#,
        points.join(" ")
    )
}

/// A horizontal bar for a rate in a table cell.
pub fn rate_bar(rate: f64) -> String {
    format!(
        r#"<span class="bar"><span style="width:{:.1}%"></span></span>"#,
        (rate * 100.0).clamp(0.0, 100.0)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_times() {
        assert_eq!(
            esc(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(url("a b/é?&="), "a%20b%2F%C3%A9%3F%26%3D");
        assert_eq!(time(0), "1970-01-01 00:00:00");
        assert_eq!(time(1_780_000_000_000_000), "2026-05-28 20:26:40");
        assert_eq!(cut("abcdef", 4), "abc…");
        assert_eq!(duration(3_725_000_000), "1 h 2 min");
    }
}
