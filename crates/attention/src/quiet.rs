//! Quiet hours: `22:00-07:00` in local time, spanning midnight or not.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    /// Minutes after midnight.
    pub start: u16,
    pub end: u16,
}

impl QuietHours {
    pub fn parse(s: &str) -> Result<QuietHours, String> {
        let bad = || format!("{s:?}: use HH:MM-HH:MM in local time, e.g. \"22:00-07:00\"");
        let (a, b) = s.trim().split_once('-').ok_or_else(bad)?;
        let hm = |t: &str| -> Result<u16, String> {
            let (h, m) = t.trim().split_once(':').ok_or_else(bad)?;
            let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
            if h > 24 || m > 59 || (h == 24 && m > 0) {
                return Err(bad());
            }
            Ok(h * 60 + m)
        };
        let (start, end) = (hm(a)?, hm(b)?);
        if start == end {
            return Err(format!("{s:?}: start and end are the same time"));
        }
        Ok(QuietHours { start, end })
    }

    /// Is `minute_of_day` (0..1440, local) inside? The start is inside,
    /// the end is not.
    pub fn contains(&self, minute_of_day: u16) -> bool {
        if self.start < self.end {
            (self.start..self.end).contains(&minute_of_day)
        } else {
            minute_of_day >= self.start || minute_of_day < self.end
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_midnight_or_not() {
        let q = QuietHours::parse("22:00-07:00").unwrap();
        assert!(q.contains(22 * 60));
        assert!(q.contains(3 * 60));
        assert!(!q.contains(7 * 60));
        assert!(!q.contains(12 * 60));
        let q = QuietHours::parse("12:30-13:30").unwrap();
        assert!(q.contains(13 * 60) && !q.contains(12 * 60) && !q.contains(13 * 60 + 30));
        assert!(QuietHours::parse("22-7").is_err());
        assert!(QuietHours::parse("25:00-07:00").is_err());
        assert!(QuietHours::parse("07:00-07:00").is_err());
    }
}
