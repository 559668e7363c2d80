//! RFC 3339 output and `--since` durations, without a date-time crate.

/// `2026-11-22T13:05:01.123456Z` from microseconds since the Unix epoch.
pub fn rfc3339(us: i64) -> String {
    hookwatch_sink::time::rfc3339_us(us)
}

/// Parse `90s`, `15m`, `2h`, `7d`, `1w`, `1h30m` into microseconds: the
/// same durations the config takes.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    hookwatch_alert::duration::parse(s)
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
}
