//! When to try again: the target's own word (Retry-After, Discord's
//! `retry_after`, Sentry's `X-Sentry-Rate-Limits`) and full-jitter backoff.

use std::time::Duration;

/// A target that asks for more than a day is treated as asking for a day:
/// the worker's `max_age` decides whether the row is still worth sending.
const MAX_AFTER: Duration = Duration::from_secs(24 * 3600);

/// `Retry-After` as delay-seconds or HTTP-date (RFC 9110 §10.2.3), clamped
/// to 24 h; a date already past means "now" (zero).
pub fn retry_after(value: &str, now_unix_s: i64) -> Option<Duration> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    if v.bytes().all(|b| b.is_ascii_digit()) {
        let secs = v.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(secs).min(MAX_AFTER));
    }
    // Not RFC, but seen in the wild (and Discord's body uses it).
    if let Ok(f) = v.parse::<f64>() {
        return seconds_f64(f);
    }
    let at = crate::time::parse_http_date(v)?;
    let secs = at.saturating_sub(now_unix_s).max(0) as u64;
    Some(Duration::from_secs(secs).min(MAX_AFTER))
}

fn seconds_f64(f: f64) -> Option<Duration> {
    if !f.is_finite() || f < 0.0 {
        return None;
    }
    Some(Duration::from_secs_f64(f.min(MAX_AFTER.as_secs_f64())))
}

/// Full jitter (AWS): `rand01 × min(cap, base × 2^(attempt-1))`; attempt 1
/// is the first retry. Saturates instead of overflowing for huge attempts.
pub fn backoff(attempt: u32, base: Duration, cap: Duration, rand01: f64) -> Duration {
    let doublings = attempt.saturating_sub(1);
    let ceiling = if doublings >= 32 {
        cap
    } else {
        base.checked_mul(1u32 << doublings)
            .map_or(cap, |d| d.min(cap))
    };
    let r = if rand01.is_nan() {
        0.0
    } else {
        rand01.clamp(0.0, 1.0)
    };
    // mul_f64 panics when f64 rounding lands just above Duration::MAX.
    Duration::try_from_secs_f64(ceiling.as_secs_f64() * r).map_or(ceiling, |d| d.min(ceiling))
}

/// Discord's 429 body: `{"message", "retry_after": <float s>, "global"}`.
pub(crate) fn discord_retry_after(body: &[u8]) -> Option<Duration> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    seconds_f64(v.get("retry_after")?.as_f64()?)
}

/// The Bot API's 429 body: `{"ok": false, "error_code": 429,
/// "description": "Too Many Requests: retry after 5", "parameters":
/// {"retry_after": 5}}`.
pub(crate) fn telegram_retry_after(body: &[u8]) -> Option<Duration> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    seconds_f64(v.get("parameters")?.get("retry_after")?.as_f64()?)
}

/// `X-Sentry-Rate-Limits: retry_after:categories:scope:reason, ...`: the
/// first entry that covers error events (no categories = all of them),
/// else the first entry.
pub(crate) fn sentry_rate_limits(value: &str) -> Option<Duration> {
    let mut first = None;
    for entry in value.split(',') {
        let mut fields = entry.trim().split(':');
        let Some(secs) = fields.next().and_then(|s| s.trim().parse::<f64>().ok()) else {
            continue;
        };
        let Some(after) = seconds_f64(secs) else {
            continue;
        };
        let categories = fields.next().unwrap_or("");
        if categories.is_empty()
            || categories
                .split(';')
                .any(|c| c == "error" || c == "default")
        {
            return Some(after);
        }
        first.get_or_insert(after);
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 784_111_777; // Sun, 06 Nov 1994 08:49:37 GMT

    #[test]
    fn retry_after_seconds_and_dates() {
        assert_eq!(retry_after("7", NOW), Some(Duration::from_secs(7)));
        assert_eq!(retry_after(" 0 ", NOW), Some(Duration::ZERO));
        assert_eq!(retry_after("1.5", NOW), Some(Duration::from_millis(1500)));
        assert_eq!(
            retry_after("999999999999999999999999", NOW),
            Some(MAX_AFTER)
        );
        assert_eq!(retry_after("100000", NOW), Some(MAX_AFTER));
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:50:07 GMT", NOW),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            retry_after("Sat, 05 Nov 1994 08:49:37 GMT", NOW),
            Some(Duration::ZERO)
        );
        assert_eq!(
            retry_after("Wed, 06 Nov 1996 08:49:37 GMT", NOW),
            Some(MAX_AFTER)
        );
        assert_eq!(retry_after("-3", NOW), None);
        assert_eq!(retry_after("soon", NOW), None);
        assert_eq!(retry_after("", NOW), None);
    }

    #[test]
    fn backoff_is_full_jitter_and_saturates() {
        let (base, cap) = (Duration::from_secs(5), Duration::from_secs(2000));
        assert_eq!(backoff(1, base, cap, 1.0), Duration::from_secs(5));
        assert_eq!(backoff(2, base, cap, 1.0), Duration::from_secs(10));
        assert_eq!(backoff(4, base, cap, 0.5), Duration::from_secs(20));
        assert_eq!(backoff(9, base, cap, 1.0), Duration::from_secs(1280));
        assert_eq!(backoff(10, base, cap, 1.0), cap);
        assert_eq!(backoff(0, base, cap, 1.0), base);
        assert_eq!(backoff(3, base, cap, 0.0), Duration::ZERO);
        for attempt in [31, 32, 33, 64, 1000, u32::MAX] {
            assert_eq!(backoff(attempt, base, cap, 1.0), cap);
            assert_eq!(
                backoff(attempt, Duration::MAX, Duration::MAX, 1.0),
                Duration::MAX
            );
        }
        assert_eq!(backoff(3, base, cap, f64::NAN), Duration::ZERO);
        assert_eq!(backoff(3, base, cap, 7.0), Duration::from_secs(20));
    }

    #[test]
    fn target_specific_hints() {
        assert_eq!(
            discord_retry_after(
                br#"{"message":"You are being rate limited.","retry_after":0.25,"global":false}"#
            ),
            Some(Duration::from_millis(250))
        );
        assert_eq!(discord_retry_after(b"nope"), None);
        assert_eq!(
            telegram_retry_after(
                br#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}"#
            ),
            Some(Duration::from_secs(7))
        );
        assert_eq!(telegram_retry_after(br#"{"ok":false}"#), None);
        assert_eq!(
            telegram_retry_after(br#"{"parameters":{"retry_after":999999}}"#),
            Some(MAX_AFTER)
        );
        assert_eq!(
            sentry_rate_limits("60:transaction:key, 2700:default;error:organization"),
            Some(Duration::from_secs(2700))
        );
        assert_eq!(
            sentry_rate_limits("60:transaction:key"),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            sentry_rate_limits("30::organization"),
            Some(Duration::from_secs(30))
        );
        assert_eq!(sentry_rate_limits("garbage"), None);
    }
}
