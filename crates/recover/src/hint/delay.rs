//! Delays: "in 30 seconds", "retry-after: 17" and the like, from `now`.

use super::{HintKind, Scan};

impl Scan<'_, '_> {
    pub(super) fn relative(&self, mut j: usize) -> Option<(i64, HintKind, usize)> {
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
    pub(super) fn retry_after(&self, i: usize) -> Option<(i64, HintKind, usize)> {
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
        for _ in 0..6 {
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
