//! `30s`, `5m`, `4h`, `1h30m`, `500ms`: the durations of the `[alerts]`
//! config, as microseconds.

/// Parse a duration into microseconds. `0` is allowed (no wait).
pub fn parse(s: &str) -> Result<i64, String> {
    let bad = || {
        format!(
            "invalid duration {s:?}: use a number with a unit, e.g. 30s, 15m, 2h, 7d, 1h30m, 500ms"
        )
    };
    let t = s.trim();
    if t == "0" {
        return Ok(0);
    }
    let (mut total, mut num, mut seen) = (0i64, String::new(), false);
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let unit: i64 = match c {
            'm' if chars.peek() == Some(&'s') => {
                chars.next();
                1_000
            }
            's' => 1_000_000,
            'm' => 60_000_000,
            'h' => 3_600_000_000,
            'd' => 86_400_000_000,
            'w' => 604_800_000_000,
            _ => return Err(bad()),
        };
        let n: i64 = num.parse().map_err(|_| bad())?;
        total = total
            .checked_add(n.checked_mul(unit).ok_or_else(bad)?)
            .ok_or_else(bad)?;
        num.clear();
        seen = true;
    }
    if !num.is_empty() || !seen {
        return Err(bad());
    }
    Ok(total)
}

/// `90000000` µs → `1m30s`, for listings.
pub fn human(us: i64) -> String {
    let mut s = us.max(0) / 1_000_000;
    if s == 0 {
        return format!("{}ms", us.max(0) / 1000);
    }
    let mut out = String::new();
    for (unit, len) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] {
        if s >= len {
            out.push_str(&format!("{}{unit}", s / len));
            s %= len;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units() {
        assert_eq!(parse("500ms"), Ok(500_000));
        assert_eq!(parse("30s"), Ok(30_000_000));
        assert_eq!(parse("1h30m"), Ok(5_400_000_000));
        assert_eq!(parse("0"), Ok(0));
        assert!(parse("").is_err());
        assert!(parse("5").is_err());
        assert!(parse("5x").is_err());
        assert!(parse("99999999999999999d").is_err());
        assert_eq!(human(5_400_000_000), "1h30m");
        assert_eq!(human(1_500), "1ms");
    }
}
