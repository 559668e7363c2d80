//! Reset times: absolute instants written after a trigger word.

use jiff::tz::{Offset, TimeZone};

use super::clock::{resolve, Day};
use super::token::Tok;
use super::{HintKind, Num, Scan, Zone};

impl Scan<'_, '_> {
    /// `...limit reached|1733356800`: Claude Code's old usage-limit message.
    pub(super) fn pipe_epoch(&self, i: usize) -> Option<(i64, HintKind, usize)> {
        let (at, end) = self.epoch(i + 1)?;
        Some((at, HintKind::ResetTime, end))
    }

    /// A unix time in seconds (10 digits) or milliseconds (13 digits).
    fn epoch(&self, j: usize) -> Option<(i64, usize)> {
        let n = self.num(j)?;
        let v = i64::try_from(n.value?).ok()?;
        // "1733356800abc" is an id, not a time.
        if self.glued(j + 1) && !self.word(j + 1).is_empty() {
            return None;
        }
        match n.digits {
            10 => Some((v, j + 1)),
            13 => Some((v.div_euclid(1000), j + 1)),
            _ => None,
        }
    }

    pub(super) fn absolute(&self, i: usize) -> Option<(i64, HintKind, usize)> {
        let mut j = i + 1;
        // "reset at", "resets_at\": \"", "regain access on", "again after".
        for _ in 0..8 {
            let filler = matches!(
                self.punct(j),
                Some(b':' | b'=' | b'"' | b'\'' | b'_' | b'\\')
            ) || matches!(self.word(j), "at" | "on" | "access" | "by" | "after");
            if !filler {
                break;
            }
            j += 1;
        }
        let (at, end) = self
            .epoch(j)
            .or_else(|| self.iso(j))
            .or_else(|| self.written(j))?;
        Some((at, HintKind::ResetTime, end))
    }

    /// RFC 3339 / ISO 8601: `2025-12-08T10:00:00Z`, `2025-12-08 10:00+01:00`,
    /// `2025-01-01 at 00:00 UTC`. No zone: the local one.
    fn iso(&self, j: usize) -> Option<(i64, usize)> {
        let year = self.num(j).filter(|n| n.digits == 4)?.value?;
        let glued_dash =
            |k: usize| self.punct(k) == Some(b'-') && self.glued(k) && self.glued(k + 1);
        if !glued_dash(j + 1) || !glued_dash(j + 3) {
            return None;
        }
        let month = self.small(j + 2, 2, 12)?;
        let day = self.small(j + 4, 2, 31)?;
        let mut k = j + 5;
        if self.word(k) == "t" && self.glued(k) && self.glued(k + 1) {
            k += 1;
        } else if self.toks.get(k).is_some_and(|t| t.spaced) {
            if self.word(k) == "at" {
                k += 1;
            }
        } else {
            return None;
        }
        let (time, mut k) = self.clock24(k)?;
        if self.punct(k) == Some(b'.')
            && self.glued(k)
            && self.glued(k + 1)
            && self.num(k + 1).is_some()
        {
            k += 2;
        }
        let zone = if self.word(k) == "z" && self.glued(k) {
            k += 1;
            Zone::Known(TimeZone::UTC)
        } else if let Some((zone, next)) = self.signed_offset(k) {
            k = next;
            zone
        } else {
            let (zone, next) = self.zone(k);
            k = next;
            zone
        };
        let day = Day {
            year: Some(i16::try_from(year).ok()?),
            month: month as i8,
            day: day as i8,
        };
        Some((self.resolve_in(zone, Some(day), time)?, k))
    }

    /// `01:00`, `0100`, `01` or `1` after the sign of a UTC offset, in
    /// seconds (unsigned).
    fn offset(&self, k: usize) -> Option<(i32, usize)> {
        let n = self.num(k).filter(|_| self.glued(k))?;
        let v = i32::try_from(n.value?).ok()?;
        let (hours, minutes, end) = match n.digits {
            4 => (v / 100, v % 100, k + 1),
            1 | 2 if self.punct(k + 1) == Some(b':') && self.glued(k + 1) && self.glued(k + 2) => {
                (v, i32::try_from(self.small(k + 2, 2, 59)?).ok()?, k + 3)
            }
            1 | 2 => (v, 0, k + 1),
            _ => return None,
        };
        if hours > 23 || minutes > 59 {
            return None;
        }
        Some((hours * 3600 + minutes * 60, end))
    }

    /// A signed offset glued at `k` ("+01:00", "-5") as a zone.
    fn signed_offset(&self, k: usize) -> Option<(Zone, usize)> {
        let sign = match self.punct(k) {
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => return None,
        };
        if !self.glued(k) {
            return None;
        }
        let (secs, end) = self.offset(k + 1)?;
        let tz = TimeZone::fixed(Offset::from_seconds(sign * secs).ok()?);
        Some((Zone::Known(tz), end))
    }

    /// Claude Code's rendering: "3pm", "3:30pm", "15:30", "Dec 8, 10am",
    /// "Dec 8 at 10am", "8 Dec 10:00", "10am on Dec 8", each optionally
    /// followed by a zone.
    fn written(&self, j: usize) -> Option<(i64, usize)> {
        let k = self.skip_weekday(j);
        let (day, time, zone, end) = if let Some((day, mut k)) = self.month_day(k) {
            if self.punct(k) == Some(b',') {
                k += 1;
            }
            if self.word(k) == "at" {
                k += 1;
            }
            let (time, k) = self.time_of_day(k)?;
            let (zone, k) = self.zone(k);
            (Some(day), time, zone, k)
        } else {
            let (time, k) = self.time_of_day(k)?;
            let (zone, k) = self.zone(k);
            let mut m = k;
            if self.punct(m) == Some(b',') {
                m += 1;
            }
            if self.word(m) == "on" {
                m += 1;
            }
            match self.month_day(self.skip_weekday(m)) {
                Some((day, m)) if matches!(zone, Zone::Unzoned) => {
                    let (zone, m) = self.zone(m);
                    (Some(day), time, zone, m)
                }
                Some((day, m)) => (Some(day), time, zone, m),
                None => (None, time, zone, k),
            }
        };
        Some((self.resolve_in(zone, day, time)?, end))
    }

    fn resolve_in(&self, zone: Zone, day: Option<Day>, time: (i8, i8, i8)) -> Option<i64> {
        match zone {
            Zone::Unzoned => resolve(day, time, (self.local)(), self.now),
            Zone::Known(tz) => resolve(day, time, &tz, self.now),
            Zone::Unusable => None,
        }
    }

    fn skip_weekday(&self, k: usize) -> usize {
        if weekday(self.word(k)) {
            if self.punct(k + 1) == Some(b',') {
                return k + 2;
            }
            return k + 1;
        }
        k
    }

    /// "Dec 8", "December 8th", "Dec. 8, 2025", "8 Dec", "8 December 2025".
    fn month_day(&self, k: usize) -> Option<(Day, usize)> {
        let (month, day, mut m) = if let Some(month) = month(self.word(k)) {
            let mut m = k + 1;
            if self.punct(m) == Some(b'.') && self.glued(m) {
                m += 1;
            }
            let day = self.small(m, 2, 31)?;
            m += 1;
            if matches!(self.word(m), "st" | "nd" | "rd" | "th") && self.glued(m) {
                m += 1;
            }
            (month, day, m)
        } else {
            let day = self.small(k, 2, 31)?;
            let month = month(self.word(k + 1))?;
            let mut m = k + 2;
            if self.punct(m) == Some(b'.') && self.glued(m) {
                m += 1;
            }
            (month, day, m)
        };
        if day == 0 {
            return None;
        }
        let year_at = if self.punct(m) == Some(b',') {
            m + 1
        } else {
            m
        };
        let year = match self.num(year_at) {
            Some(Num {
                value: Some(y),
                digits: 4,
            }) => {
                m = year_at + 1;
                Some(i16::try_from(y).ok()?)
            }
            _ => None,
        };
        let day = Day {
            year,
            month,
            day: day as i8,
        };
        Some((day, m))
    }

    /// "3pm", "3 PM", "3:30 p.m.", "12am", "15:30", "15:30:00", "noon",
    /// "midnight". A bare "15" is no time.
    fn time_of_day(&self, k: usize) -> Option<((i8, i8, i8), usize)> {
        match self.word(k) {
            "noon" => return Some(((12, 0, 0), k + 1)),
            "midnight" => return Some(((0, 0, 0), k + 1)),
            _ => {}
        }
        let hour = self.small(k, 2, 23)?;
        let (minute, second, mut m) = match self.minutes(k + 1) {
            Some((mi, s, m)) => (Some(mi), s, m),
            None => (None, 0, k + 1),
        };
        let hour = match self.meridiem(m) {
            Some((pm, next)) => {
                if !(1..=12).contains(&hour) {
                    return None;
                }
                m = next;
                hour % 12 + if pm { 12 } else { 0 }
            }
            None if minute.is_some() => hour,
            None => return None,
        };
        Some(((hour as i8, minute.unwrap_or(0) as i8, second as i8), m))
    }

    /// ":30" or ":30:00" glued to an hour.
    fn minutes(&self, k: usize) -> Option<(u64, u64, usize)> {
        let part = |k: usize| {
            if self.punct(k) == Some(b':') && self.glued(k) && self.glued(k + 1) {
                self.num(k + 1)
                    .filter(|n| n.digits == 2)
                    .and_then(|n| n.value)
                    .filter(|&v| v <= 59)
            } else {
                None
            }
        };
        let minute = part(k)?;
        match part(k + 2) {
            Some(second) => Some((minute, second, k + 4)),
            None => Some((minute, 0, k + 2)),
        }
    }

    /// 24-hour "HH:MM[:SS]" (minutes required).
    fn clock24(&self, k: usize) -> Option<((i8, i8, i8), usize)> {
        let hour = self.small(k, 2, 23)?;
        let (minute, second, m) = self.minutes(k + 1)?;
        Some(((hour as i8, minute as i8, second as i8), m))
    }

    /// "am"/"pm" (spaced or not), "a.m."/"p.m.": `Some((is_pm, next))`.
    fn meridiem(&self, k: usize) -> Option<(bool, usize)> {
        match self.word(k) {
            "am" => Some((false, k + 1)),
            "pm" => Some((true, k + 1)),
            w @ ("a" | "p")
                if self.punct(k + 1) == Some(b'.')
                    && self.glued(k + 1)
                    && self.word(k + 2) == "m"
                    && self.glued(k + 2) =>
            {
                let end = if self.punct(k + 3) == Some(b'.') && self.glued(k + 3) {
                    k + 4
                } else {
                    k + 3
                };
                Some((w == "p", end))
            }
            _ => None,
        }
    }

    /// The zone written after a time: "(Europe/Berlin)", "(UTC)", "UTC",
    /// "GMT". A parenthesis that is not a zone name is left alone; a zone
    /// abbreviation ("PST", "(CET)") or a named zone this machine cannot
    /// load makes the time unusable.
    fn zone(&self, k: usize) -> (Zone, usize) {
        let Some(t) = self.toks.get(k) else {
            return (Zone::Unzoned, k);
        };
        match t.tok {
            Tok::Punct(b'(') => {
                let close =
                    (k + 1..(k + 16).min(self.toks.len())).find(|&c| self.punct(c) == Some(b')'));
                let Some(close) = close else {
                    return (Zone::Unzoned, k);
                };
                // "(UTC+01:00)", "(GMT-5)".
                if matches!(self.word(k + 1), "utc" | "gmt") {
                    if let Some((zone, end)) = self.signed_offset(k + 2) {
                        if end == close {
                            return (zone, close + 1);
                        }
                    }
                }
                let name = &self.orig[t.end..self.toks[close].start];
                let zoneish = !name.is_empty()
                    && name.len() <= 64
                    && name.bytes().any(|b| b.is_ascii_alphabetic())
                    && name.bytes().all(|b| {
                        b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-' | b'+')
                    });
                if !zoneish {
                    return (Zone::Unzoned, k);
                }
                match named_zone(name) {
                    Some(tz) => (Zone::Known(tz), close + 1),
                    // A zone we cannot read: no hint beats one hours off.
                    None if name.contains(['/', '+'])
                        || abbreviation(name)
                        || name.get(..3).is_some_and(|p| {
                            p.eq_ignore_ascii_case("utc") || p.eq_ignore_ascii_case("gmt")
                        }) =>
                    {
                        (Zone::Unusable, close + 1)
                    }
                    None => (Zone::Unzoned, k),
                }
            }
            Tok::Word => {
                let name = &self.orig[t.start..t.end];
                match self.word(k) {
                    // "GMT+1" is not GMT.
                    "utc" | "gmt" => self
                        .signed_offset(k + 1)
                        .unwrap_or((Zone::Known(TimeZone::UTC), k + 1)),
                    "z" if !t.spaced => (Zone::Known(TimeZone::UTC), k + 1),
                    _ if abbreviation(name) => (Zone::Unusable, k + 1),
                    _ => (Zone::Unzoned, k),
                }
            }
            _ => (Zone::Unzoned, k),
        }
    }

    /// `Wed, 21 Oct 2015 07:28:00 GMT` (RFC 9110's preferred HTTP date).
    pub(super) fn http_date(&self, k: usize) -> Option<(i64, usize)> {
        if !weekday(self.word(k)) || self.punct(k + 1) != Some(b',') {
            return None;
        }
        let (day, m) = self.month_day(k + 2)?;
        day.year?;
        let (time, m) = self.clock24(m)?;
        if !matches!(self.word(m), "gmt" | "utc") {
            return None;
        }
        Some((resolve(Some(day), time, &TimeZone::UTC, self.now)?, m + 1))
    }
}

fn month(word: &str) -> Option<i8> {
    Some(match word {
        "jan" | "january" => 1,
        "feb" | "february" => 2,
        "mar" | "march" => 3,
        "apr" | "april" => 4,
        "may" => 5,
        "jun" | "june" => 6,
        "jul" | "july" => 7,
        "aug" | "august" => 8,
        "sep" | "sept" | "september" => 9,
        "oct" | "october" => 10,
        "nov" | "november" => 11,
        "dec" | "december" => 12,
        _ => return None,
    })
}

fn weekday(word: &str) -> bool {
    matches!(
        word,
        "mon"
            | "monday"
            | "tue"
            | "tues"
            | "tuesday"
            | "wed"
            | "wednesday"
            | "thu"
            | "thur"
            | "thurs"
            | "thursday"
            | "fri"
            | "friday"
            | "sat"
            | "saturday"
            | "sun"
            | "sunday"
    )
}

/// "PST", "CEST", "ET": letters for a zone whose offset they do not pin down
/// (CST is three zones) and which tzdb does not name.
fn abbreviation(name: &str) -> bool {
    (2..=5).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_uppercase())
        && name.ends_with('T')
        && name != "AT"
        && name != "IT"
}

fn named_zone(name: &str) -> Option<TimeZone> {
    if ["utc", "gmt", "z", "etc/utc"]
        .iter()
        .any(|u| name.eq_ignore_ascii_case(u))
    {
        return Some(TimeZone::UTC);
    }
    if abbreviation(name) {
        return None;
    }
    TimeZone::get(name).ok()
}
