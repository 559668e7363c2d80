//! Per-target rate limits, `N/window` (e.g. `20/1h`): at most N
//! notifications sent in any window. Over the limit a notification waits
//! (it is not dropped: nothing is lost, it is only late).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub count: u32,
    pub window_us: i64,
}

impl RateLimit {
    pub fn parse(s: &str) -> Result<RateLimit, String> {
        let (n, w) = s
            .split_once('/')
            .ok_or_else(|| format!("rate limit {s:?}: write N/window, e.g. 20/1h"))?;
        let count: u32 = n
            .trim()
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("rate limit {s:?}: N must be a positive number"))?;
        let window_us = crate::duration::parse(w)?;
        if window_us <= 0 {
            return Err(format!(
                "rate limit {s:?}: the window must be longer than 0"
            ));
        }
        Ok(RateLimit { count, window_us })
    }

    /// What each service documents: Slack and Discord about one message per
    /// second per webhook, ntfy one request per 5 s once the burst is spent,
    /// PagerDuty 120 events a minute per key, Telegram 20 messages a minute
    /// per group chat.
    pub fn default_for(kind: &str) -> Option<RateLimit> {
        let (count, window_us) = match kind {
            "slack" | "discord" => (1, 1_000_000),
            "ntfy" => (12, 60_000_000),
            "telegram" => (20, 60_000_000),
            "pagerduty" => (100, 60_000_000),
            _ => return None,
        };
        Some(RateLimit { count, window_us })
    }

    /// Given the send times within the last window (any order), when may the
    /// next one go? None: now.
    pub fn next_allowed(&self, sent_us: &[i64], now_us: i64) -> Option<i64> {
        let mut recent: Vec<i64> = sent_us
            .iter()
            .copied()
            .filter(|t| *t > now_us - self.window_us)
            .collect();
        if recent.len() < self.count as usize {
            return None;
        }
        recent.sort_unstable();
        // The send that must age out of the window first.
        let idx = recent.len() - self.count as usize;
        Some(recent[idx] + self.window_us)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        let r = RateLimit::parse("2/10s").unwrap();
        assert_eq!(r.next_allowed(&[], 100), None);
        assert_eq!(r.next_allowed(&[50], 100), None);
        let s = 1_000_000;
        assert_eq!(r.next_allowed(&[s, 2 * s], 3 * s), Some(11 * s));
        // Old sends have left the window.
        assert_eq!(r.next_allowed(&[s, 2 * s], 12 * s), None);
        assert!(RateLimit::parse("0/1h").is_err());
        assert!(RateLimit::parse("5").is_err());
        assert!(RateLimit::parse("5/0s").is_err());
    }

    #[test]
    fn defaults_per_kind() {
        assert_eq!(
            RateLimit::default_for("telegram"),
            Some(RateLimit {
                count: 20,
                window_us: 60_000_000
            })
        );
        assert_eq!(RateLimit::default_for("webhook"), None);
    }
}
