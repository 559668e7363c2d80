//! Written times ("3pm", "Dec 8, 10am", "2025-12-08T10:00") to unix seconds,
//! read in a time zone relative to `now`.

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// A date as written; no year means the next such date.
#[derive(Debug, Clone, Copy)]
pub(super) struct Day {
    pub year: Option<i16>,
    pub month: i8,
    pub day: i8,
}

/// A time of day that passed at most this long ago is read as today's, not
/// tomorrow's: "resets 3pm" read at 3:05pm (a message looked at late, a
/// reset rounded to the hour) is a reset that just happened, and reading it
/// as tomorrow would park a run for a day.
const GRACE_S: i64 = 15 * 60;

/// Unix seconds of `time` on `day` (or, with no day, its next occurrence)
/// in `tz`. `None` when the date does not exist or `now` is out of range.
/// Clock gaps and folds resolve as RFC 9557 "compatible" does.
pub(super) fn resolve(
    day: Option<Day>,
    time: (i8, i8, i8),
    tz: &TimeZone,
    now: i64,
) -> Option<i64> {
    let time = Time::new(time.0, time.1, time.2, 0).ok()?;
    let at = |d: Date| {
        tz.to_timestamp(d.to_datetime(time))
            .ok()
            .map(Timestamp::as_second)
    };
    let today = tz.to_datetime(Timestamp::from_second(now).ok()?).date();
    match day {
        None => {
            let t = at(today)?;
            if t >= now.saturating_sub(GRACE_S) {
                Some(t)
            } else {
                at(today.tomorrow().ok()?)
            }
        }
        Some(Day {
            year: Some(year),
            month,
            day,
        }) => at(Date::new(year, month, day).ok()?),
        Some(Day {
            year: None,
            month,
            day,
        }) => {
            // "Jan 2" read on Dec 30 is next year's.
            let this_year = Date::new(today.year(), month, day).ok().and_then(at);
            match this_year {
                Some(t) if t >= now => Some(t),
                _ => at(Date::new(today.year().checked_add(1)?, month, day).ok()?),
            }
        }
    }
}
