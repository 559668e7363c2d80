//! When to try again, read from a failure's message texts.
//!
//! Two kinds of hint:
//! * a reset time, written as an absolute time: "resets 3pm",
//!   "will reset at 3pm (America/New_York)", "resets Dec 8, 10am",
//!   `Claude AI usage limit reached|1733356800` (the old format: epoch after a
//!   pipe), `anthropic-ratelimit-unified-reset: 1733356800`, an RFC 3339 time
//!   after "reset"/"until", "regain access on 2025-01-01 at 00:00 UTC", an
//!   HTTP date after `retry-after:`;
//! * a delay: "try again in 30 seconds", "retry after 20s", "retry-after: 17",
//!   "retry-after-ms: 1500", "in 5 minutes", "wait 1h 30m".
//!
//! Absolute times need a trigger word before them ("reset", "until", "again
//! at", "regain access on"), so timestamps in logs and prose are not taken
//! for reset times. A time of day with no date is its next occurrence, in
//! the IANA zone named after it in parentheses, in UTC for "UTC"/"GMT"/"Z",
//! else in the local zone. A zone abbreviation such as "PST" is ambiguous, so
//! a time written with one (or with a zone this machine's tzdb lacks) gives
//! no hint rather than a wrong one.

mod clock;
mod token;

use std::cell::OnceCell;

use jiff::tz::{Offset, TimeZone};
use serde::Serialize;

use clock::{resolve, Day};
use token::{tokenize, Tok, Token};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hint {
    /// When the limit lifts (or the delay ends), in unix seconds.
    pub reset_at_unix_s: i64,
    pub kind: HintKind,
    /// The text the hint was read from (at most 120 characters).
    pub source: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HintKind {
    /// An absolute time was written.
    ResetTime,
    /// A delay from `now` was written.
    RetryAfter,
}

impl HintKind {
    pub fn as_str(self) -> &'static str {
        match self {
            HintKind::ResetTime => "reset_time",
            HintKind::RetryAfter => "retry_after",
        }
    }
}

/// A limit that lifts more than a week out is not something to wait for
/// (and is more likely a misread than a real reset).
const MAX_AHEAD_S: i64 = 7 * 86_400;
const SOURCE_CHARS: usize = 120;

/// The best hint in `texts` (error_details, last_assistant_message, a
/// transcript's error text), relative to `now_unix_s` (the failure's time).
/// An absolute reset time wins over a delay, since it is what the API itself
/// computed; among hints of one kind the latest wins, since waiting too
/// little only fails again. Hints before `now` or more than 7 days after it
/// are dropped. Times without a zone are read in the machine's local zone.
pub fn parse_hint(texts: &[&str], now_unix_s: i64) -> Option<Hint> {
    // The local zone is looked up only if a text needs it.
    let local = OnceCell::new();
    best(texts, now_unix_s, &|| local.get_or_init(TimeZone::system))
}

/// [`parse_hint`] with the zone that unzoned times are read in given, for
/// callers (and tests) that know the user's zone better than this machine.
pub fn parse_hint_in(texts: &[&str], now_unix_s: i64, local: &TimeZone) -> Option<Hint> {
    best(texts, now_unix_s, &|| local)
}

fn best<'z>(texts: &[&str], now: i64, local: &dyn Fn() -> &'z TimeZone) -> Option<Hint> {
    let mut best: Option<Hint> = None;
    for text in texts {
        for part in crate::bounded_parts(text) {
            Scan::new(part, now, local).run(&mut |hint| {
                let rank = |h: &Hint| (h.kind == HintKind::ResetTime, h.reset_at_unix_s);
                if best.as_ref().is_none_or(|b| rank(&hint) > rank(b)) {
                    best = Some(hint);
                }
            });
        }
    }
    best
}

struct Scan<'a, 'z> {
    orig: &'a str,
    /// ASCII-lowercased copy: same byte offsets as `orig`.
    lower: String,
    toks: Vec<Token>,
    now: i64,
    local: &'a dyn Fn() -> &'z TimeZone,
}

struct Num {
    /// `None` when it does not fit a u64 (a "huge number" is no hint).
    value: Option<u64>,
    digits: usize,
}

/// What follows a written time: no zone, a zone, or one we must not guess.
enum Zone {
    Unzoned,
    Known(TimeZone),
    Unusable,
}

impl<'a, 'z> Scan<'a, 'z> {
    fn new(orig: &'a str, now: i64, local: &'a dyn Fn() -> &'z TimeZone) -> Self {
        let lower = orig.to_ascii_lowercase();
        let toks = tokenize(&lower);
        Scan {
            orig,
            lower,
            toks,
            now,
            local,
        }
    }

    fn run(&self, out: &mut dyn FnMut(Hint)) {
        for i in 0..self.toks.len() {
            let found = match self.toks[i].tok {
                Tok::Punct(b'|') => self.pipe_epoch(i),
                Tok::Word => match self.word(i) {
                    "reset" | "resets" | "resetat" | "resetsat" | "until" | "till" | "regain"
                    | "again" => self.absolute(i),
                    "in" | "after" | "within" => self.relative(i + 1),
                    "wait" => {
                        let j = if self.word(i + 1) == "for" {
                            i + 2
                        } else {
                            i + 1
                        };
                        self.relative(j)
                    }
                    "retry" | "retryafter" => self.retry_after(i),
                    _ => None,
                },
                _ => None,
            };
            if let Some((at, kind, end)) = found {
                // A bare "|1733356800" says little: show the word before it.
                let from = if self.punct(i) == Some(b'|') && i > 0 && self.glued(i) {
                    i - 1
                } else {
                    i
                };
                let ahead = i128::from(at) - i128::from(self.now);
                if (0..=i128::from(MAX_AHEAD_S)).contains(&ahead) {
                    out(Hint {
                        reset_at_unix_s: at,
                        kind,
                        source: self.excerpt(from, end),
                    });
                }
            }
        }
    }

    // ---- token access (out-of-range indexes read as "nothing") ----

    fn word(&self, i: usize) -> &str {
        match self.toks.get(i) {
            Some(t) if t.tok == Tok::Word => &self.lower[t.start..t.end],
            _ => "",
        }
    }

    fn punct(&self, i: usize) -> Option<u8> {
        match self.toks.get(i)?.tok {
            Tok::Punct(c) => Some(c),
            _ => None,
        }
    }

    fn num(&self, i: usize) -> Option<Num> {
        let t = self.toks.get(i).filter(|t| t.tok == Tok::Num)?;
        let text = &self.lower[t.start..t.end];
        Some(Num {
            value: text.parse().ok(),
            digits: text.len(),
        })
    }

    /// A number of at most `max_digits` digits and at most `max`.
    fn small(&self, i: usize, max_digits: usize, max: u64) -> Option<u64> {
        let n = self.num(i)?;
        n.value.filter(|&v| n.digits <= max_digits && v <= max)
    }

    /// Token `i` exists and follows the previous one with no space.
    fn glued(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| !t.spaced)
    }

    fn excerpt(&self, from: usize, end: usize) -> String {
        let (Some(a), Some(b)) = (self.toks.get(from), self.toks.get(end.saturating_sub(1))) else {
            return String::new();
        };
        let text = self.orig.get(a.start..b.end.max(a.start)).unwrap_or("");
        text.chars().take(SOURCE_CHARS).collect()
    }

    // ---- absolute times ----

    /// `...limit reached|1733356800`: Claude Code's old usage-limit message.
    fn pipe_epoch(&self, i: usize) -> Option<(i64, HintKind, usize)> {
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

    fn absolute(&self, i: usize) -> Option<(i64, HintKind, usize)> {
        let mut j = i + 1;
        // "reset at", "resets_at\": \"", "regain access on", "again after".
        for _ in 0..6 {
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
        } else if let (Some(sign @ (b'+' | b'-')), true) = (self.punct(k), self.glued(k)) {
            let (secs, next) = self.offset(k + 1)?;
            k = next;
            let secs = if sign == b'-' { -secs } else { secs };
            Zone::Known(TimeZone::fixed(Offset::from_seconds(secs).ok()?))
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

    /// `01:00`, `0100` or `01` after the sign of a UTC offset.
    fn offset(&self, k: usize) -> Option<(i32, usize)> {
        let n = self.num(k).filter(|_| self.glued(k))?;
        let v = n.value? as i32;
        match n.digits {
            4 => Some(((v / 100) * 3600 + (v % 100) * 60, k + 1)),
            2 if self.punct(k + 1) == Some(b':') && self.glued(k + 1) && self.glued(k + 2) => {
                let m = self.small(k + 2, 2, 59)? as i32;
                Some((v * 3600 + m * 60, k + 3))
            }
            2 => Some((v * 3600, k + 1)),
            _ => None,
        }
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
                    None if name.contains('/') || abbreviation(name) => (Zone::Unusable, close + 1),
                    None => (Zone::Unzoned, k),
                }
            }
            Tok::Word => {
                let name = &self.orig[t.start..t.end];
                match self.word(k) {
                    "utc" | "gmt" => (Zone::Known(TimeZone::UTC), k + 1),
                    "z" if !t.spaced => (Zone::Known(TimeZone::UTC), k + 1),
                    _ if abbreviation(name) => (Zone::Unusable, k + 1),
                    _ => (Zone::Unzoned, k),
                }
            }
            _ => (Zone::Unzoned, k),
        }
    }

    /// `Wed, 21 Oct 2015 07:28:00 GMT` (RFC 9110's preferred HTTP date).
    fn http_date(&self, k: usize) -> Option<(i64, usize)> {
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

    // ---- delays ----

    fn relative(&self, mut j: usize) -> Option<(i64, HintKind, usize)> {
        for _ in 0..2 {
            let hedge = matches!(
                self.word(j),
                "about" | "approximately" | "approx" | "roughly" | "around" | "another"
            ) || self.punct(j) == Some(b'~');
            if !hedge {
                break;
            }
            j += 1;
        }
        let (secs, end) = self.duration(j)?;
        Some((self.now.checked_add(secs)?, HintKind::RetryAfter, end))
    }

    /// `retry-after: 17`, `Retry-After: Wed, 21 Oct 2015 07:28:00 GMT`,
    /// `retry-after-ms: 1500`, `"retry_after": 30`, "retry after 20s".
    fn retry_after(&self, i: usize) -> Option<(i64, HintKind, usize)> {
        let mut k = i + 1;
        // Header or key spelling: a bare number is in seconds there.
        let mut keyed = true;
        if self.word(i) == "retry" {
            if matches!(self.punct(k), Some(b'-' | b'_'))
                && self.glued(k)
                && self.glued(k + 1)
                && self.word(k + 1) == "after"
            {
                k += 2;
            } else if self.word(k) == "after" {
                keyed = false;
                k += 1;
            } else {
                return None;
            }
        }
        let mut millis = false;
        if matches!(self.punct(k), Some(b'-' | b'_')) && self.glued(k) && self.glued(k + 1) {
            match self.word(k + 1) {
                "ms" => {
                    millis = true;
                    k += 2;
                }
                "s" | "sec" | "secs" | "seconds" => k += 2,
                _ => {}
            }
        }
        for _ in 0..4 {
            match self.punct(k) {
                Some(b':' | b'=') => keyed = true,
                Some(b'"' | b'\'' | b'\\') => {}
                _ => break,
            }
            k += 1;
        }
        if let Some((at, end)) = self.http_date(k) {
            return Some((at, HintKind::ResetTime, end));
        }
        if let Some((secs, end)) = self.duration(k) {
            return Some((self.now.checked_add(secs)?, HintKind::RetryAfter, end));
        }
        if !keyed {
            return None;
        }
        let n = self.num(k)?;
        // "retry-after: 1.5" is not a valid header; do not guess.
        if self.punct(k + 1) == Some(b'.') && self.glued(k + 1) && self.num(k + 2).is_some() {
            return None;
        }
        let v = i64::try_from(n.value?).ok()?;
        let secs = if millis {
            v.div_euclid(1000) + i64::from(v % 1000 != 0)
        } else {
            v
        };
        Some((self.now.checked_add(secs)?, HintKind::RetryAfter, k + 1))
    }

    /// "30 seconds", "20s", "1.5 hours", "1h 30m", "4h59m", "2 hours and 30
    /// minutes", "a minute": whole seconds, rounded up.
    fn duration(&self, j: usize) -> Option<(i64, usize)> {
        let (mut total, mut end) = self.duration_part(j, true)?;
        for _ in 0..3 {
            let mut m = end;
            if self.punct(m) == Some(b',') {
                m += 1;
            }
            if self.word(m) == "and" {
                m += 1;
            }
            match self.duration_part(m, false) {
                Some((s, next)) => {
                    total = total.checked_add(s)?;
                    end = next;
                }
                None => break,
            }
        }
        Some((total, end))
    }

    fn duration_part(&self, k: usize, first: bool) -> Option<(i64, usize)> {
        if first && matches!(self.word(k), "a" | "an" | "one") {
            let per = unit_millis(self.word(k + 1))?;
            return Some((millis_to_secs(u128::from(per))?, k + 2));
        }
        let whole = self.num(k)?.value?;
        let mut m = k + 1;
        let mut frac = (0u64, 0u32);
        if self.punct(m) == Some(b'.') && self.glued(m) && self.glued(m + 1) {
            let n = self.num(m + 1)?;
            if n.digits > 6 {
                return None;
            }
            frac = (n.value?, n.digits as u32);
            m += 2;
        }
        let per = u128::from(unit_millis(self.word(m))?);
        let millis = u128::from(whole) * per + u128::from(frac.0) * per / 10u128.pow(frac.1);
        Some((millis_to_secs(millis)?, m + 1))
    }
}

fn millis_to_secs(millis: u128) -> Option<i64> {
    i64::try_from(millis.div_ceil(1000)).ok()
}

fn unit_millis(word: &str) -> Option<u64> {
    Some(match word {
        "ms" | "msec" | "msecs" | "millisecond" | "milliseconds" => 1,
        "s" | "sec" | "secs" | "second" | "seconds" => 1_000,
        "m" | "min" | "mins" | "minute" | "minutes" => 60_000,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3_600_000,
        "d" | "day" | "days" => 86_400_000,
        "w" | "wk" | "wks" | "week" | "weeks" => 604_800_000,
        _ => return None,
    })
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
