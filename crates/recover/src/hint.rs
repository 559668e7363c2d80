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
mod delay;
mod reset;
mod token;

use std::cell::OnceCell;

use jiff::tz::TimeZone;
use serde::Serialize;

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
}
