//! Noise control: whether a notification that an event deserves is sent.
//! Pure: the worker looks up the history and the clock and passes them in,
//! so tests inject both (no sleeps).

use crate::config::{Limits, NotifyConfig};
use crate::kind::Kind;

/// One event that deserves a notification of `kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub kind: Kind,
    pub time_us: i64,
    /// How long the turn took ("done").
    pub turn_us: Option<i64>,
    /// An unattended run: `claude -p` (CLAUDE_CODE_SESSION_ATTENDED=0) or
    /// under `hookwatch run`.
    pub headless: bool,
    /// Local time of day of the event, minutes after midnight.
    pub minute_of_day: u16,
}

/// What the same session was already sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct History {
    /// Last notification of the same kind.
    pub last_same_kind_us: Option<i64>,
    /// Last "needs you".
    pub last_needs_you_us: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Send,
    /// Not sent, and why (recorded; `hookwatch notify log` shows it).
    Suppress(String),
}

pub fn decide(c: &Candidate, h: &History, cfg: &NotifyConfig, l: &Limits) -> Decision {
    let secs = |us: i64| crate::text::duration(us);
    if c.headless && !cfg.headless {
        return Decision::Suppress(
            "unattended run (claude -p or hookwatch run); set [notify] headless = true to notify"
                .into(),
        );
    }
    if let Some(q) = l.quiet {
        if cfg.quiet_kinds.contains(&c.kind) && q.contains(c.minute_of_day) {
            return Decision::Suppress("quiet hours".into());
        }
    }
    if c.kind == Kind::Done {
        if let Some(t) = c.turn_us {
            if t < l.min_turn_us {
                return Decision::Suppress(format!(
                    "turn took {}, under min_turn {}",
                    secs(t),
                    secs(l.min_turn_us)
                ));
            }
        }
        if let Some(n) = h.last_needs_you_us {
            if c.time_us - n < l.done_after_needs_you_us {
                return Decision::Suppress(format!(
                    "\"needs you\" was sent {} before: the person was just there",
                    secs(c.time_us - n)
                ));
            }
        }
    }
    if let Some(last) = h.last_same_kind_us {
        let cooldown = cfg.cooldown_us(c.kind);
        if c.time_us - last < cooldown {
            return Decision::Suppress(format!(
                "cooldown: the session was sent {} {} ago (cooldown {})",
                c.kind,
                secs(c.time_us - last),
                secs(cooldown)
            ));
        }
    }
    Decision::Send
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000;

    fn setup(toml_text: &str) -> (NotifyConfig, Limits) {
        let c: NotifyConfig = toml::from_str(toml_text).unwrap();
        let l = c.check(&|_| true).unwrap();
        (c, l)
    }

    fn cand(kind: Kind, t: i64) -> Candidate {
        Candidate {
            kind,
            time_us: t,
            turn_us: Some(60 * S),
            headless: false,
            minute_of_day: 12 * 60,
        }
    }

    #[test]
    fn min_turn_cooldown_and_needs_you_first() {
        let (c, l) = setup("targets = [\"d\"]");
        let none = History::default();
        let mut short = cand(Kind::Done, 1000 * S);
        short.turn_us = Some(5 * S);
        assert!(
            matches!(decide(&short, &none, &c, &l), Decision::Suppress(r) if r.contains("min_turn"))
        );
        assert_eq!(
            decide(&cand(Kind::Done, 1000 * S), &none, &c, &l),
            Decision::Send
        );
        let recent = History {
            last_same_kind_us: Some(990 * S),
            last_needs_you_us: None,
        };
        assert!(
            matches!(decide(&cand(Kind::NeedsYou, 1000 * S), &recent, &c, &l), Decision::Suppress(r) if r.contains("cooldown"))
        );
        let long_ago = History {
            last_same_kind_us: Some(900 * S),
            ..Default::default()
        };
        assert_eq!(
            decide(&cand(Kind::NeedsYou, 1000 * S), &long_ago, &c, &l),
            Decision::Send
        );
        let asked = History {
            last_needs_you_us: Some(970 * S),
            ..Default::default()
        };
        assert!(
            matches!(decide(&cand(Kind::Done, 1000 * S), &asked, &c, &l), Decision::Suppress(r) if r.contains("needs you"))
        );
    }

    #[test]
    fn quiet_hours_and_headless() {
        let (c, l) =
            setup("targets = [\"d\"]\nquiet_hours = \"22:00-07:00\"\nquiet_kinds = [\"done\"]");
        let mut night = cand(Kind::Done, 1000 * S);
        night.minute_of_day = 23 * 60;
        assert_eq!(
            decide(&night, &History::default(), &c, &l),
            Decision::Suppress("quiet hours".into())
        );
        night.kind = Kind::NeedsYou;
        assert_eq!(decide(&night, &History::default(), &c, &l), Decision::Send);
        let mut ci = cand(Kind::Done, 1000 * S);
        ci.headless = true;
        assert!(
            matches!(decide(&ci, &History::default(), &c, &l), Decision::Suppress(r) if r.contains("unattended"))
        );
        let (c, l) = setup("targets = [\"d\"]\nheadless = true");
        assert_eq!(decide(&ci, &History::default(), &c, &l), Decision::Send);
    }
}
