//! RFC 3339 output and HTTP-date input, without a date-time crate: the
//! binary is started by every hook, so each dependency is start-up cost.
//! The CLI prints its times with `rfc3339_us` too, and reads the dates of
//! `--before` / `--since` / `--until` with `parse_rfc3339_us`.

/// `2026-11-22T13:05:01Z` from seconds since the Unix epoch.
pub(crate) fn rfc3339_s(secs: i64) -> String {
    let (y, m, d, hh, mm, ss) = split(secs);
    format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z")
}

/// `2026-11-22T13:05:01.123456Z` from microseconds since the Unix epoch.
pub fn rfc3339_us(us: i64) -> String {
    let (y, m, d, hh, mm, ss) = split(us.div_euclid(1_000_000));
    let micros = us.rem_euclid(1_000_000);
    format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}.{micros:06}Z")
}

/// The notification's own time when the outbox set it, else the send time:
/// payloads that carry it stay identical across retries.
pub(crate) fn event_time(created_us: i64, now_unix_s: i64) -> String {
    if created_us > 0 {
        rfc3339_us(created_us)
    } else {
        rfc3339_s(now_unix_s)
    }
}

fn split(secs: i64) -> (i64, u32, u32, i64, i64, i64) {
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    (y, m, d, sod / 3600, sod / 60 % 60, sod % 60)
}

/// Howard Hinnant's `civil_from_days` (proleptic Gregorian).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Howard Hinnant's `days_from_civil`.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 } as i64;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form RFC 9110 requires
/// senders to use, to seconds since the epoch. The weekday is not checked:
/// a server that gets it wrong still means the date.
pub(crate) fn parse_http_date(s: &str) -> Option<i64> {
    let rest = s.trim();
    let rest = match rest.split_once(',') {
        Some((_, r)) => r.trim_start(),
        None => rest,
    };
    let mut parts = rest.split_ascii_whitespace();
    let day: u32 = parts.next()?.parse().ok()?;
    let month = parts.next()?.to_ascii_lowercase();
    let month = MONTHS.iter().position(|m| *m == month)? as u32 + 1;
    let year: i64 = parts.next()?.parse().ok()?;
    let mut hms = parts.next()?.split(':');
    let hh: i64 = hms.next()?.parse().ok()?;
    let mm: i64 = hms.next()?.parse().ok()?;
    let ss: i64 = hms.next()?.parse().ok()?;
    let zone = parts.next()?;
    if hms.next().is_some()
        || parts.next().is_some()
        || !(zone.eq_ignore_ascii_case("GMT") || zone.eq_ignore_ascii_case("UTC"))
        || !(1..=31).contains(&day)
        || !(1000..=9999).contains(&year)
        || hh > 23
        || mm > 59
        || ss > 60
    {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hh * 3600 + mm * 60 + ss)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        _ => 31,
    }
}

/// An RFC 3339 date-time (`2026-09-01T12:00:00Z`, `...T14:00:00.5+02:00`)
/// or a full date alone (`2026-09-01`: its midnight UTC) to microseconds
/// since the Unix epoch. A date-time without `Z` or an offset is refused:
/// UTC or local time would be a guess.
pub fn parse_rfc3339_us(s: &str) -> Option<i64> {
    let s = s.trim();
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let t = b.get(from..from + len)?;
        if !t.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(t).ok()?.parse().ok()
    };
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let (y, m, d) = (num(0, 4)?, num(5, 2)? as u32, num(8, 2)? as u32);
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    let date_us = days_from_civil(y, m, d) * 86_400_000_000;
    if b.len() == 10 {
        return Some(date_us);
    }
    if !matches!(b[10], b'T' | b't' | b' ') || b.get(13) != Some(&b':') || b.get(16) != Some(&b':')
    {
        return None;
    }
    let (hh, mm, ss) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    // 60: a leap second, counted as the last second of its minute.
    if hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    let mut us = date_us + (hh * 3600 + mm * 60 + ss.min(59)) * 1_000_000;
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
        // Microseconds: further digits are below the store's resolution.
        let digits = &s[start..i.min(start + 6)];
        let mut frac: i64 = digits.parse().ok()?;
        for _ in digits.len()..6 {
            frac *= 10;
        }
        us += frac;
    }
    let offset_s = match &b[i..] {
        b"Z" | b"z" => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (oh, om) = (num(i + 1, 2)?, num(i + 4, 2)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let v = oh * 3600 + om * 60;
            if *sign == b'+' {
                v
            } else {
                -v
            }
        }
        _ => return None,
    };
    Some(us - offset_s * 1_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses() {
        assert_eq!(rfc3339_s(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_s(1_649_367_553), "2022-04-07T21:39:13Z");
        assert_eq!(
            rfc3339_us(1_649_367_553_000_042),
            "2022-04-07T21:39:13.000042Z"
        );
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(
            parse_http_date("Thu, 07 Apr 2022 21:39:13 GMT"),
            Some(1_649_367_553)
        );
        assert_eq!(parse_http_date("tomorrow"), None);
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 PST"), None);
        for s in [0, 951_782_400, 4_102_444_799] {
            let (y, m, d, ..) = split(s);
            assert_eq!(days_from_civil(y, m, d) * 86_400, s - s.rem_euclid(86_400));
        }
    }

    #[test]
    fn parses_rfc3339_dates_and_date_times() {
        let day = 1_788_220_800_000_000; // 2026-09-01T00:00:00Z
        assert_eq!(rfc3339_us(day), "2026-09-01T00:00:00.000000Z");
        assert_eq!(parse_rfc3339_us("2026-09-01"), Some(day));
        assert_eq!(parse_rfc3339_us("2026-09-01T00:00:00Z"), Some(day));
        assert_eq!(parse_rfc3339_us(" 2026-09-01t00:00:00z "), Some(day));
        assert_eq!(parse_rfc3339_us("2026-09-01 02:00:00+02:00"), Some(day));
        assert_eq!(parse_rfc3339_us("2026-08-31T19:30:00-04:30"), Some(day));
        assert_eq!(
            parse_rfc3339_us("2026-09-01T00:00:00.1234567Z"),
            Some(day + 123_456)
        );
        assert_eq!(
            parse_rfc3339_us("2026-09-01T00:00:00.5Z"),
            Some(day + 500_000)
        );
        assert_eq!(parse_rfc3339_us("2024-02-29"), Some(1_709_164_800_000_000));
        for bad in [
            "",
            "2026",
            "2026-9-1",
            "2026-09-01T00:00:00",
            "2026-09-01T00:00Z",
            "2026-09-01T24:00:00Z",
            "2026-09-01T00:00:00.Z",
            "2026-09-01T00:00:00+2:00",
            "2026-09-01T00:00:00+02:00x",
            "2026-13-01",
            "2026-02-29",
            "2026-04-31",
            "2026-00-10",
            "+026-09-01",
            "2026-09-01x",
            "yesterday",
            "2026-09-01T00:00:00Ω",
        ] {
            assert_eq!(parse_rfc3339_us(bad), None, "{bad:?}");
        }
    }
}
