//! StopFailure recovery decisions, as pure functions for the worker: what
//! kind of API failure ended a turn ([`classify`], [`classify_text`]) and
//! when it is worth trying again ([`parse_hint`]).
//!
//! Claude Code reports the failure as an `error` value (13 in 2.1.330, see
//! [`KNOWN_ERRORS`]) plus free text: `error_details` (often the raw API
//! reply) and `last_assistant_message` (the rendered error). The texts are
//! where reset times live ("5-hour limit reached ∙ resets 3pm",
//! `Claude AI usage limit reached|1733356800`, "retry-after: 17").
//!
//! Everything here reads agent- and API-controlled text, so nothing panics
//! and the work is linear: texts are tokenized once and every pattern looks
//! a bounded number of tokens ahead. Texts over 128 KiB are read as their
//! first and last 64 KiB (where an error message's status line and a
//! transcript's last entry sit).

mod classify;
mod hint;

pub use classify::{classify, classify_text, Kind, KNOWN_ERRORS};
pub use hint::{parse_hint, parse_hint_in, Hint, HintKind};
/// The time zone type [`parse_hint_in`] takes, so callers need no `jiff` of
/// their own.
pub use jiff::tz::TimeZone;

const PART: usize = 64 * 1024;

/// The text itself, or its first and last [`PART`] bytes (cut on char
/// boundaries) when it is longer than two parts.
fn bounded_parts(text: &str) -> impl Iterator<Item = &str> {
    let (head, tail) = if text.len() <= 2 * PART {
        (text, "")
    } else {
        let mut h = PART;
        while !text.is_char_boundary(h) {
            h -= 1;
        }
        let mut t = text.len() - PART;
        while !text.is_char_boundary(t) {
            t += 1;
        }
        (&text[..h], &text[t..])
    };
    [head, tail].into_iter().filter(|p| !p.is_empty())
}
