//! RFC 3339 output, and the times of `--since`, `--until` and `--before`
//! (an age or an RFC 3339 date), without a date-time crate.

/// `2026-11-22T13:05:01.123456Z` from microseconds since the Unix epoch.
pub fn rfc3339(us: i64) -> String {
    hookwatch_sink::time::rfc3339_us(us)
}

/// Parse `90s`, `15m`, `2h`, `7d`, `1w`, `1h30m` into microseconds: the
/// same durations the config takes.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    hookwatch_alert::duration::parse(s)
}

/// A point in time on the command line: an age (`90d`: that long before
/// `now_us`) or an RFC 3339 date (`2026-09-01`, midnight UTC) or date-time
/// (`2026-09-01T12:00:00Z`, `...+02:00`).
pub fn parse_time(s: &str, now_us: i64) -> Result<i64, String> {
    if let Some(t) = hookwatch_sink::time::parse_rfc3339_us(s) {
        return Ok(t);
    }
    parse_duration(s).map(|d| now_us - d).map_err(|_| {
        format!(
            "invalid time {s:?}: use an age (e.g. 30s, 15m, 2h, 7d, 1h30m) or an RFC 3339 date \
             or date-time (2026-09-01, 2026-09-01T12:00:00Z, 2026-09-01T14:00:00+02:00)"
        )
    })
}

pub fn now_us() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(rfc3339(951_782_400_000_000), "2000-02-29T00:00:00.000000Z");
        assert_eq!(
            rfc3339(1_795_353_901_123_456),
            "2026-11-22T13:25:01.123456Z"
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Ok(90_000_000));
        assert_eq!(parse_duration("1h30m"), Ok(5_400_000_000));
        assert_eq!(parse_duration("7d"), Ok(604_800_000_000));
        assert!(parse_duration("7").is_err());
        assert!(parse_duration("h").is_err());
        assert!(parse_duration("3x").is_err());
        assert!(parse_duration("99999999999999999999s").is_err());
    }

    #[test]
    fn times_are_ages_or_dates() {
        let now = 1_800_000_000_000_000;
        assert_eq!(parse_time("2h", now), Ok(now - 7_200_000_000));
        assert_eq!(parse_time("2026-09-01", now), Ok(1_788_220_800_000_000));
        assert_eq!(
            parse_time("2026-09-01T00:00:01Z", now),
            Ok(1_788_220_801_000_000)
        );
        for bad in ["yesterday", "2026-09-31", "2026-09-01T00:00:00", "-2h", ""] {
            let e = parse_time(bad, now).unwrap_err();
            assert!(e.contains("e.g. 30s") && e.contains("2026-09-01"), "{e}");
        }
    }
}
