//! `[notify]` in config.toml. Notifications go to the alert targets
//! (`[alerts.targets.NAME]`): one place for URLs and secrets. A target
//! with `alerts = false` there gets only these notifications, no failure
//! alerts (`hookwatch notify setup` writes it so).

use crate::kind::Kind;
use crate::quiet::QuietHours;
use hookwatch_alert::duration;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct NotifyConfig {
    /// Off: no attention notification is decided or sent.
    pub enabled: bool,
    /// Targets of every kind that does not name its own.
    pub targets: Vec<String>,
    /// "done" only for turns at least this long: a person watching the
    /// terminal needs no notification for a 5-second answer.
    pub min_turn: String,
    /// Per session and kind: at most one notification within this.
    pub cooldown: String,
    /// "done" is not sent when the same session sent "needs you" within
    /// this before: the person was just there.
    pub done_after_needs_you: String,
    /// How long "done" waits to see whether the turn goes on (another Stop
    /// hook blocked, so Claude keeps working); a later event of the turn
    /// cancels it.
    pub settle: String,
    /// `22:00-07:00` (local time): the kinds in `quiet_kinds` are not sent.
    pub quiet_hours: Option<String>,
    pub quiet_kinds: Vec<Kind>,
    /// IANA zone for quiet hours (`Europe/Berlin`); default the system's.
    pub timezone: Option<String>,
    /// Also notify for unattended runs (`claude -p`, `hookwatch run`):
    /// off, since those have alerts and nobody waits at a terminal.
    pub headless: bool,
    /// Notification types (Claude Code's `notification_type`) never sent,
    /// e.g. a type a newer Claude Code added that you do not want.
    pub ignore_types: Vec<String>,
    pub done: KindConfig,
    pub needs_you: KindConfig,
    pub idle: KindConfig,
    pub failed: KindConfig,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig {
            enabled: true,
            targets: Vec::new(),
            min_turn: "30s".into(),
            cooldown: "1m".into(),
            done_after_needs_you: "1m".into(),
            settle: "2s".into(),
            quiet_hours: None,
            quiet_kinds: vec![Kind::Done, Kind::NeedsYou, Kind::Idle],
            timezone: None,
            headless: false,
            ignore_types: Vec::new(),
            done: KindConfig::default(),
            needs_you: KindConfig::default(),
            idle: KindConfig::default(),
            failed: KindConfig::default(),
        }
    }
}

/// `[notify.done]`, `[notify.needs_you]`, `[notify.idle]`, `[notify.failed]`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct KindConfig {
    pub enabled: bool,
    /// Unset: `[notify] targets`.
    pub targets: Option<Vec<String>>,
    /// Title template: `{project}`, `{session}` (friendly name), `{branch}`,
    /// `{cause}`. Unset: the kind's own sentence.
    pub title: Option<String>,
    /// low, default, high, urgent. Unset: the kind's default.
    pub priority: Option<String>,
    /// Sound name for desktop targets; "" for silence.
    pub sound: Option<String>,
    /// Overrides `[notify] cooldown` for this kind.
    pub cooldown: Option<String>,
}

impl Default for KindConfig {
    fn default() -> Self {
        KindConfig {
            enabled: true,
            targets: None,
            title: None,
            priority: None,
            sound: None,
            cooldown: None,
        }
    }
}

/// The limits in µs, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    pub min_turn_us: i64,
    pub done_after_needs_you_us: i64,
    pub settle_us: i64,
    pub quiet: Option<QuietHours>,
}

impl NotifyConfig {
    pub fn kind(&self, k: Kind) -> &KindConfig {
        match k {
            Kind::Done => &self.done,
            Kind::NeedsYou => &self.needs_you,
            Kind::Idle => &self.idle,
            Kind::Failed => &self.failed,
        }
    }

    /// The targets of a kind (none when the kind is off).
    pub fn targets_of(&self, k: Kind) -> &[String] {
        let c = self.kind(k);
        if !self.enabled || !c.enabled {
            return &[];
        }
        c.targets.as_deref().unwrap_or(&self.targets)
    }

    /// On, with a target for at least one kind. The hook's test: no parsing.
    pub fn active(&self) -> bool {
        self.enabled && Kind::ALL.iter().any(|k| !self.targets_of(*k).is_empty())
    }

    pub fn cooldown_us(&self, k: Kind) -> i64 {
        let c = self.kind(k).cooldown.as_deref().unwrap_or(&self.cooldown);
        duration::parse(c).unwrap_or(60_000_000)
    }

    /// Everything checked, with errors that name the key. `known` says
    /// whether a target name exists.
    pub fn check(&self, known: &dyn Fn(&str) -> bool) -> Result<Limits, String> {
        let d = |k: &str, v: &str| duration::parse(v).map_err(|e| format!("[notify] {k}: {e}"));
        d("cooldown", &self.cooldown)?;
        for k in Kind::ALL {
            let c = self.kind(k);
            if let Some(v) = &c.cooldown {
                d(&format!("{k}.cooldown"), v)?;
            }
            if let Some(p) = &c.priority {
                parse_priority(p).map_err(|e| format!("[notify.{k}] priority: {e}"))?;
            }
            for t in self.targets_of(k) {
                if !known(t) {
                    let key = match c.targets {
                        Some(_) => format!("[notify.{k}] targets"),
                        None => "[notify] targets".to_string(),
                    };
                    return Err(format!(
                        "{key} names {t:?}, which is not an enabled target in [alerts.targets]: \
                         add it (`hookwatch notify setup`) or remove the name"
                    ));
                }
            }
        }
        let quiet = match &self.quiet_hours {
            Some(q) => {
                Some(QuietHours::parse(q).map_err(|e| format!("[notify] quiet_hours: {e}"))?)
            }
            None => None,
        };
        Ok(Limits {
            min_turn_us: d("min_turn", &self.min_turn)?,
            done_after_needs_you_us: d("done_after_needs_you", &self.done_after_needs_you)?,
            settle_us: d("settle", &self.settle)?,
            quiet,
        })
    }
}

/// `low`, `default`, `high`, `urgent` (ntfy's names; also 1–5).
pub fn parse_priority(s: &str) -> Result<&'static str, String> {
    Ok(match s.trim().to_ascii_lowercase().as_str() {
        "low" | "min" | "1" | "2" => "low",
        "default" | "normal" | "3" => "default",
        "high" | "4" => "high",
        "urgent" | "max" | "critical" | "5" => "urgent",
        _ => return Err(format!("{s:?} is not one of low, default, high, urgent")),
    })
}

/// The kind's priority when the config does not say.
pub fn default_priority(k: Kind) -> &'static str {
    match k {
        Kind::Done => "default",
        Kind::NeedsYou => "high",
        Kind::Idle => "low",
        Kind::Failed => "high",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_full_config() {
        let c: NotifyConfig = toml::from_str(
            r#"
            targets = ["desk"]
            min_turn = "45s"
            quiet_hours = "22:00-07:30"
            quiet_kinds = ["done", "idle"]
            ignore_types = ["plugin_notification"]
            [needs_you]
            targets = ["desk", "phone"]
            priority = "urgent"
            [idle]
            enabled = false
            "#,
        )
        .unwrap();
        assert!(c.active());
        assert_eq!(c.targets_of(Kind::Done), ["desk".to_string()]);
        assert_eq!(c.targets_of(Kind::NeedsYou).len(), 2);
        assert!(c.targets_of(Kind::Idle).is_empty());
        let known = |t: &str| t == "desk" || t == "phone";
        let l = c.check(&known).unwrap();
        assert_eq!(l.min_turn_us, 45_000_000);
        assert!(l.quiet.is_some());
        let missing = |t: &str| t == "desk";
        let e = c.check(&missing).unwrap_err();
        assert!(e.contains("phone") && e.contains("[alerts.targets]"), "{e}");
        assert!(!NotifyConfig::default().active());
        let bad: Result<NotifyConfig, _> = toml::from_str("min_turns = \"1s\"");
        assert!(bad.is_err(), "unknown keys are errors");
    }
}
