//! `[alerts]` in config.toml: targets, the routing tree, inhibition and
//! delivery limits. Durations are strings (`30s`, `4h`) checked by
//! [`AlertsConfig::check`], which the worker and `hookwatch config` run;
//! the hook only reads `enabled`, `events`, `expected` and the target names.

use crate::matcher::Matchers;
use crate::route::RouteConfig;
use hookwatch_sink::TargetConfig;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AlertsConfig {
    /// Off: nothing is routed or sent (events are still recorded).
    pub enabled: bool,
    /// Events that can become alerts at all. Everything else is only recorded.
    pub events: Vec<String>,
    /// Expected failures (a failing test assertion, a grep that found
    /// nothing): "drop" (never alerted) or "route" (through the tree, where a
    /// route can match `expected=true`).
    pub expected: ExpectedPolicy,
    /// The root of the routing tree (no matchers: everything enters here).
    pub route: RouteConfig,
    /// Named destinations.
    pub targets: BTreeMap<String, TargetConfig>,
    /// Mute alerts while a related alert fires.
    pub inhibit: Vec<InhibitRule>,
    /// The built-in rule: a StopFailure rate_limit/overloaded mutes the
    /// same session's tool-failure alerts (the tool failures are the
    /// symptom). Added after the user's rules.
    pub default_inhibit: bool,
    /// Where "target X is broken" goes, once per breakage (other targets;
    /// empty: only the worker log and `hookwatch alerts`).
    pub report_broken_to: Vec<String>,
    /// Alerts listed in one notification; the rest are counted as omitted.
    pub max_alerts_per_notification: usize,
    pub delivery: Delivery,
}

impl Default for AlertsConfig {
    fn default() -> Self {
        AlertsConfig {
            enabled: true,
            events: vec![
                "PostToolUseFailure".into(),
                "StopFailure".into(),
                "RecoveryGaveUp".into(),
            ],
            expected: ExpectedPolicy::Drop,
            route: RouteConfig::default(),
            targets: BTreeMap::new(),
            inhibit: Vec::new(),
            default_inhibit: true,
            report_broken_to: Vec::new(),
            max_alerts_per_notification: 20,
            delivery: Delivery::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum ExpectedPolicy {
    #[default]
    Drop,
    Route,
}

/// `[[alerts.inhibit]]`: while an event matching `source` is recent (within
/// `window` of the muted alert, either side), alerts matching `target`
/// with the same values of every `equal` label are muted.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct InhibitRule {
    pub source: Matchers,
    pub target: Matchers,
    #[serde(default)]
    pub equal: Vec<String>,
    #[serde(default = "default_window")]
    pub window: String,
}

fn default_window() -> String {
    "1h".into()
}

impl InhibitRule {
    pub fn builtin() -> InhibitRule {
        InhibitRule {
            source: Matchers::parse(&["event=StopFailure", "error_type=~rate_limit|overloaded"])
                .expect("built-in matchers"),
            target: Matchers::parse(&["event=PostToolUseFailure"]).expect("built-in matchers"),
            equal: vec!["session".into()],
            window: default_window(),
        }
    }

    /// Does `source` (an event's labels) mute `target` (an alert's labels)?
    /// An alert that matches both sides is not muted by another that also
    /// matches both sides (no self-inhibition), as in Alertmanager.
    pub fn inhibits(&self, source: &crate::Labels, target: &crate::Labels) -> bool {
        if !self.source.matches(source) || !self.target.matches(target) {
            return false;
        }
        if self.source.matches(target) && self.target.matches(source) {
            return false;
        }
        self.equal.iter().all(|k| {
            let a = source.get(k).map(String::as_str).unwrap_or("");
            let b = target.get(k).map(String::as_str).unwrap_or("");
            a == b
        })
    }

    pub fn window_us(&self) -> i64 {
        crate::duration::parse(&self.window).unwrap_or(3_600_000_000)
    }
}

/// `[alerts.delivery]`: defaults every target can override.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Delivery {
    /// Attempts before a notification is dead-lettered.
    pub max_attempts: u32,
    /// Age after which a notification still not delivered is dead-lettered.
    pub max_age: String,
    /// Full-jitter exponential backoff: a random wait up to
    /// min(backoff_cap, backoff_base · 2^(attempt-1)).
    pub backoff_base: String,
    pub backoff_cap: String,
    /// One request, connect to answer.
    pub timeout: String,
    /// A claimed notification whose worker died is sent again after this.
    pub lease: String,
    /// How long a worker started by the hook waits for work due soon
    /// (group_wait, group_interval, a retry) before exiting; later work is
    /// picked up by the next hook event or by `hookwatch daemon`. Longer
    /// than the default group_interval, so one worker serves a busy session
    /// instead of one per failure.
    pub linger: String,
    /// Events older than this when the worker first sees them are recorded
    /// but not alerted (a stale alert helps nobody).
    pub max_event_age: String,
}

impl Default for Delivery {
    fn default() -> Self {
        Delivery {
            max_attempts: 10,
            max_age: "24h".into(),
            backoff_base: "5s".into(),
            backoff_cap: "30m".into(),
            timeout: "10s".into(),
            lease: "2m".into(),
            linger: "6m".into(),
            max_event_age: "6h".into(),
        }
    }
}

/// Delivery limits for one target, durations in µs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    pub max_attempts: u32,
    pub max_age_us: i64,
    pub backoff_base_us: i64,
    pub backoff_cap_us: i64,
    pub timeout_us: i64,
    pub rate_limit: Option<crate::ratelimit::RateLimit>,
    pub send_resolved: bool,
}

impl AlertsConfig {
    /// Is alerting on at all (enabled, with at least one enabled target)?
    pub fn active(&self) -> bool {
        self.enabled
            && self
                .targets
                .values()
                .any(|t| t.common().enabled && t.common().alerts)
    }

    /// Can an event become an alert? The hook's wake-up test: no regex, no
    /// routing, only the event name and the expected flag.
    pub fn candidate(&self, event: &str, expected: Option<bool>) -> bool {
        self.active()
            && self.events.iter().any(|e| e == event)
            && !(expected == Some(true) && self.expected == ExpectedPolicy::Drop)
    }

    /// The inhibition rules in force: the user's, then the built-in one.
    pub fn inhibit_rules(&self) -> Vec<InhibitRule> {
        let mut r = self.inhibit.clone();
        if self.default_inhibit {
            r.push(InhibitRule::builtin());
        }
        r
    }

    pub fn limits(&self, target: &str) -> Result<Limits, String> {
        let d = &self.delivery;
        let t = self
            .targets
            .get(target)
            .ok_or_else(|| format!("no target named {target:?} in [alerts.targets]"))?;
        let c = t.common();
        let dur = |v: &Option<String>, dflt: &str, what: &str| {
            crate::duration::parse(v.as_deref().unwrap_or(dflt))
                .map_err(|e| format!("[alerts.targets.{target}] {what}: {e}"))
        };
        Ok(Limits {
            max_attempts: c.max_attempts.unwrap_or(d.max_attempts).max(1),
            max_age_us: dur(&c.max_age, &d.max_age, "max_age")?,
            backoff_base_us: crate::duration::parse(&d.backoff_base)?,
            backoff_cap_us: crate::duration::parse(&d.backoff_cap)?,
            timeout_us: dur(&c.timeout, &d.timeout, "timeout")?.max(1000),
            rate_limit: match &c.rate_limit {
                Some(s) => Some(
                    crate::ratelimit::RateLimit::parse(s)
                        .map_err(|e| format!("[alerts.targets.{target}] rate_limit: {e}"))?,
                ),
                None => crate::ratelimit::RateLimit::default_for(t.kind()),
            },
            send_resolved: c.send_resolved.unwrap_or(t.kind() == "pagerduty"),
        })
    }

    /// Everything the worker needs, checked: durations, matchers, target
    /// names. Errors name the config key.
    pub fn check(&self) -> Result<crate::route::Route, String> {
        let names: Vec<String> = self
            .targets
            .iter()
            // `alerts = false`: a target for [notify] only.
            .filter(|(_, t)| t.common().enabled && t.common().alerts)
            .map(|(n, _)| n.clone())
            .collect();
        for t in self.targets.keys() {
            self.limits(t)?;
        }
        let d = &self.delivery;
        for (k, v) in [
            ("max_age", &d.max_age),
            ("backoff_base", &d.backoff_base),
            ("backoff_cap", &d.backoff_cap),
            ("timeout", &d.timeout),
            ("lease", &d.lease),
            ("linger", &d.linger),
            ("max_event_age", &d.max_event_age),
        ] {
            crate::duration::parse(v).map_err(|e| format!("[alerts.delivery] {k}: {e}"))?;
        }
        for (i, r) in self.inhibit.iter().enumerate() {
            crate::duration::parse(&r.window)
                .map_err(|e| format!("[[alerts.inhibit]] #{}: window: {e}", i + 1))?;
        }
        for t in &self.report_broken_to {
            if !self.targets.contains_key(t) {
                return Err(format!(
                    "[alerts] report_broken_to names {t:?}, which is not in [alerts.targets]"
                ));
            }
        }
        crate::route::Route::build(&self.route, &names, self.targets.keys())
    }

    pub fn duration(&self, v: &str) -> i64 {
        crate::duration::parse(v).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::Labels;

    fn l(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn builtin_inhibition_needs_the_same_session() {
        let r = InhibitRule::builtin();
        let src = l(&[
            ("event", "StopFailure"),
            ("error_type", "rate_limit"),
            ("session", "a"),
        ]);
        let same = l(&[("event", "PostToolUseFailure"), ("session", "a")]);
        let other = l(&[("event", "PostToolUseFailure"), ("session", "b")]);
        assert!(r.inhibits(&src, &same));
        assert!(!r.inhibits(&src, &other));
        let auth = l(&[
            ("event", "StopFailure"),
            ("error_type", "authentication_failed"),
            ("session", "a"),
        ]);
        assert!(!r.inhibits(&auth, &same));
        // Not self-muting: a StopFailure does not mute a StopFailure.
        assert!(!r.inhibits(&src, &src));
    }

    #[test]
    fn candidates() {
        let mut c = AlertsConfig::default();
        assert!(!c.candidate("StopFailure", None), "no targets: inactive");
        c.targets.insert(
            "t".into(),
            toml::from_str::<TargetConfig>("type = \"command\"\nargv = [\"true\"]").unwrap(),
        );
        assert!(c.candidate("StopFailure", None));
        assert!(c.candidate("PostToolUseFailure", Some(false)));
        assert!(!c.candidate("PostToolUseFailure", Some(true)));
        assert!(!c.candidate("PreToolUse", None));
        c.expected = ExpectedPolicy::Route;
        assert!(c.candidate("PostToolUseFailure", Some(true)));
    }
}
