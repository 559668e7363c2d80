//! The routing tree. Every alert enters at the root; children are tried in
//! order, the first that matches wins unless it says `continue = true`, and
//! a node whose children all miss handles the alert itself. Unset options
//! are inherited from the parent. A route with `targets = []` is a null
//! route: the way to swallow known noise.

use crate::labels::Labels;
use crate::matcher::Matchers;
use serde::{Deserialize, Serialize};

/// `[alerts.route]` and its `[[...routes]]`, as written.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default, deny_unknown_fields)]
pub struct RouteConfig {
    /// Shown in notifications and `hookwatch alerts`; default: its path
    /// (`root`, `root.0`, `root.0.1`).
    pub name: Option<String>,
    pub matchers: Matchers,
    /// Target names; unset: the parent's (the root's default: every target).
    pub targets: Option<Vec<String>>,
    #[serde(rename = "continue")]
    pub continue_: bool,
    /// Labels whose values form the group key; `["..."]` groups by every
    /// label (no aggregation). Root default: project and session, so a
    /// burst of failures in one session is one notification.
    pub group_by: Option<Vec<String>>,
    /// Wait after a new group's first alert before notifying (collects the
    /// burst; gives an inhibiting StopFailure time to arrive). Default 30s.
    pub group_wait: Option<String>,
    /// Wait after a group's notification before notifying about alerts
    /// added since. Default 5m.
    pub group_interval: Option<String>,
    /// The same fingerprint is not sent to a target again within this
    /// (counted, not sent). Default 4h.
    pub repeat_interval: Option<String>,
    pub routes: Vec<RouteConfig>,
}

/// A checked node with everything inherited filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    pub id: String,
    pub matchers: Matchers,
    pub targets: Vec<String>,
    pub continue_: bool,
    pub group_by: Vec<String>,
    pub group_wait_us: i64,
    pub group_interval_us: i64,
    pub repeat_interval_us: i64,
    pub children: Vec<Route>,
}

/// Where one alert goes: a route and its settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Matched<'a> {
    pub route: &'a Route,
}

impl Matched<'_> {
    /// The group key: route id and the values of the group_by labels. Stable
    /// text, so it survives restarts and is readable in listings.
    pub fn group_key(&self, labels: &Labels) -> String {
        group_key(self.route, labels)
    }
}

pub fn group_key(route: &Route, labels: &Labels) -> String {
    let mut key = format!("{}{{", route.id);
    let all = route.group_by.iter().any(|g| g == "...");
    let names: Vec<&String> = if all {
        labels.keys().collect()
    } else {
        route.group_by.iter().collect()
    };
    for (i, k) in names.iter().enumerate() {
        if i > 0 {
            key.push(',');
        }
        let v = labels.get(k.as_str()).map(String::as_str).unwrap_or("");
        key.push_str(&format!("{k}={v:?}"));
    }
    key.push('}');
    key
}

/// The labels of a group (its group_by values), for notifications.
pub fn group_labels(route: &Route, labels: &Labels) -> Labels {
    if route.group_by.iter().any(|g| g == "...") {
        return labels.clone();
    }
    route
        .group_by
        .iter()
        .filter_map(|k| labels.get(k).map(|v| (k.clone(), v.clone())))
        .collect()
}

impl Route {
    /// Check and resolve inheritance. `enabled` are the targets a route
    /// without `targets` sends to; `known` every configured name.
    pub fn build<'a>(
        root: &RouteConfig,
        enabled: &[String],
        known: impl Iterator<Item = &'a String> + Clone,
    ) -> Result<Route, String> {
        if !root.matchers.is_empty() {
            return Err("[alerts.route] is the root of the tree and takes no matchers: put them on a child route ([[alerts.route.routes]])".into());
        }
        let base = Route {
            id: String::new(),
            matchers: Matchers::default(),
            targets: enabled.to_vec(),
            continue_: false,
            group_by: vec!["project".into(), "session".into()],
            group_wait_us: 30_000_000,
            group_interval_us: 300_000_000,
            repeat_interval_us: 4 * 3_600_000_000,
            children: Vec::new(),
        };
        build_node(root, &base, "root".into(), &known)
    }

    /// The routes an alert goes to, in tree order.
    pub fn routes<'a>(&'a self, labels: &Labels) -> Vec<Matched<'a>> {
        let mut out = Vec::new();
        walk(self, labels, &mut out);
        out
    }

    /// Every node, depth first (listings, lookups by id).
    pub fn nodes(&self) -> Vec<&Route> {
        let mut v = vec![self];
        for c in &self.children {
            v.extend(c.nodes());
        }
        v
    }

    pub fn find(&self, id: &str) -> Option<&Route> {
        self.nodes().into_iter().find(|r| r.id == id)
    }
}

fn walk<'a>(node: &'a Route, labels: &Labels, out: &mut Vec<Matched<'a>>) {
    let mut any = false;
    for child in &node.children {
        if child.matchers.matches(labels) {
            any = true;
            walk(child, labels, out);
            if !child.continue_ {
                break;
            }
        }
    }
    if !any {
        out.push(Matched { route: node });
    }
}

fn build_node<'a>(
    c: &RouteConfig,
    parent: &Route,
    path: String,
    known: &(impl Iterator<Item = &'a String> + Clone),
) -> Result<Route, String> {
    let at = c.name.clone().unwrap_or_else(|| path.clone());
    let dur = |v: &Option<String>, inherited: i64, what: &str| match v {
        Some(s) => crate::duration::parse(s).map_err(|e| format!("route {at:?}: {what}: {e}")),
        None => Ok(inherited),
    };
    let targets = match &c.targets {
        Some(t) => {
            for name in t {
                if !known.clone().any(|k| k == name) {
                    return Err(format!(
                        "route {at:?} sends to {name:?}, which is not in [alerts.targets]"
                    ));
                }
            }
            t.clone()
        }
        None => parent.targets.clone(),
    };
    let mut node = Route {
        id: at.clone(),
        matchers: c.matchers.clone(),
        targets,
        continue_: c.continue_,
        group_by: c
            .group_by
            .clone()
            .unwrap_or_else(|| parent.group_by.clone()),
        group_wait_us: dur(&c.group_wait, parent.group_wait_us, "group_wait")?,
        group_interval_us: dur(
            &c.group_interval,
            parent.group_interval_us,
            "group_interval",
        )?,
        repeat_interval_us: dur(
            &c.repeat_interval,
            parent.repeat_interval_us,
            "repeat_interval",
        )?,
        children: Vec::new(),
    };
    for (i, child) in c.routes.iter().enumerate() {
        let built = build_node(child, &node, format!("{path}.{i}"), known)?;
        node.children.push(built);
    }
    Ok(node)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn tree(toml_text: &str) -> Route {
        let c: RouteConfig = toml::from_str(toml_text).unwrap();
        let names = vec!["slack".to_string(), "pager".to_string(), "hook".to_string()];
        Route::build(&c, &names, names.iter()).unwrap()
    }

    const TREE: &str = r#"
        group_wait = "10s"
        [[routes]]
        name = "stop"
        matchers = ["event=StopFailure"]
        targets = ["pager"]
        group_by = ["session"]
        continue = true
        [[routes]]
        name = "noise"
        matchers = ["tool=~mcp__flaky__.*"]
        targets = []
        [[routes]]
        name = "net"
        matchers = ["class=network"]
        targets = ["slack"]
        [[routes.routes]]
        name = "net-ci"
        matchers = ["project=~/ci/.*"]
        targets = ["hook"]
    "#;

    fn ids(r: &Route, l: &Labels) -> Vec<String> {
        r.routes(l).iter().map(|m| m.route.id.clone()).collect()
    }

    #[test]
    fn first_match_wins_unless_continue() {
        let r = tree(TREE);
        // continue on "stop" lets the alert go on to later siblings; none
        // match, but "stop" matched, so the root does not take it.
        assert_eq!(ids(&r, &labels(&[("event", "StopFailure")])), ["stop"]);
        assert_eq!(
            ids(
                &r,
                &labels(&[("event", "StopFailure"), ("class", "network")])
            ),
            ["stop", "net"]
        );
        assert_eq!(
            ids(
                &r,
                &labels(&[("tool", "mcp__flaky__x"), ("class", "network")])
            ),
            ["noise"]
        );
        assert_eq!(
            ids(&r, &labels(&[("class", "network"), ("project", "/ci/a")])),
            ["net-ci"]
        );
        assert_eq!(ids(&r, &labels(&[("class", "other")])), ["root"]);
    }

    #[test]
    fn inheritance() {
        let r = tree(TREE);
        assert_eq!(r.targets, ["slack", "pager", "hook"]);
        let stop = r.find("stop").unwrap();
        assert_eq!(stop.group_wait_us, 10_000_000, "inherited from the root");
        assert_eq!(stop.group_by, ["session"]);
        let netci = r.find("net-ci").unwrap();
        assert_eq!(netci.group_by, ["project", "session"]);
        assert!(r.find("noise").unwrap().targets.is_empty());
        let m = &r.routes(&labels(&[("event", "StopFailure"), ("session", "s1")]))[0];
        assert_eq!(
            m.group_key(&labels(&[("session", "s1"), ("tool", "x")])),
            "stop{session=\"s1\"}"
        );
    }

    #[test]
    fn rejects_bad_trees() {
        let names = vec!["a".to_string()];
        let bad: RouteConfig = toml::from_str("matchers = [\"a=b\"]").unwrap();
        assert!(Route::build(&bad, &names, names.iter()).is_err());
        let unknown: RouteConfig = toml::from_str("[[routes]]\ntargets = [\"nope\"]").unwrap();
        let e = Route::build(&unknown, &names, names.iter()).unwrap_err();
        assert!(e.contains("nope"), "{e}");
        let dur: RouteConfig = toml::from_str("group_wait = \"soon\"").unwrap();
        assert!(Route::build(&dur, &names, names.iter()).is_err());
    }
}
