//! Routing: every event not yet routed goes through the tree once. The
//! alerts it yields and the cursor move commit together, so an event is
//! routed exactly once however many workers run or die. A `Stop` in a
//! session with a notified StopFailure resolves it (targets with
//! `send_resolved`, e.g. PagerDuty), in the same transaction.

use super::{labels_of, notification, stable_key, Alerting};
use hookwatch_alert::labels;
use hookwatch_store::outbox::{NewAlert, NewNotification};
use hookwatch_store::Store;

/// Route everything new; returns how many alerts were created.
pub fn run(store: &mut Store, a: &Alerting, now_us: i64) -> Result<usize, String> {
    let max_age = a.config.duration(&a.config.delivery.max_event_age);
    let mut created = 0;
    for _ in 0..1000 {
        let (cursor, rows) = store.unrouted_events(500).map_err(|e| e.to_string())?;
        let Some(last) = rows.last().map(|r| r.id) else {
            break;
        };
        let mut alerts = Vec::new();
        let mut resolves = Vec::new();
        for row in &rows {
            if row.event == "Stop" {
                if let Some(s) = row.session_id.as_deref() {
                    resolves.extend(resolutions(store, a, s, row.time_us, now_us)?);
                }
            }
            if !a.config.candidate(&row.event, row.expected) || now_us - row.time_us > max_age {
                continue;
            }
            let l = labels_of(row);
            let fingerprint = labels::fingerprint(&l);
            let labels_json = serde_json::to_string(&l).unwrap_or_default();
            for m in a.tree.routes(&l) {
                let route = m.route;
                let group_labels = hookwatch_alert::route::group_labels(route, &l);
                for target in route.targets.iter().filter(|t| {
                    // A route may name a target that is switched off.
                    a.config.targets.get(*t).is_some_and(|c| c.common().enabled)
                }) {
                    alerts.push(NewAlert {
                        event_id: row.id,
                        time_us: row.time_us,
                        route: route.id.clone(),
                        group_key: m.group_key(&l),
                        group_labels: serde_json::to_string(&group_labels).unwrap_or_default(),
                        session: row.session_id.clone(),
                        target: target.clone(),
                        fingerprint: fingerprint.clone(),
                        labels: labels_json.clone(),
                        group_wait_us: route.group_wait_us,
                        group_interval_us: route.group_interval_us,
                    });
                }
            }
        }
        let moved = store
            .commit_routing(cursor, last, &alerts, &resolves, now_us)
            .map_err(|e| e.to_string())?;
        if moved {
            created += alerts.len();
        }
    }
    Ok(created)
}

/// Resolve notifications for the firing groups of `session`: one per target
/// that was told about the group and wants resolves.
fn resolutions(
    store: &Store,
    a: &Alerting,
    session: &str,
    stop_us: i64,
    now_us: i64,
) -> Result<Vec<(String, Vec<NewNotification>)>, String> {
    let mut out = Vec::new();
    for g in store.firing_groups(session).map_err(|e| e.to_string())? {
        // A Stop recorded before the failure was notified is not a recovery.
        if g.firing_since_us.is_some_and(|t| stop_us < t - 60_000_000) {
            continue;
        }
        let mut ns = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for n in store
            .group_notifications(&g.group_key)
            .map_err(|e| e.to_string())?
        {
            if !seen.insert(n.target.clone()) {
                continue;
            }
            let Ok(limits) = a.config.limits(&n.target) else {
                continue;
            };
            if !limits.send_resolved {
                continue;
            }
            let Ok(mut body) = serde_json::from_str::<hookwatch_sink::Notification>(&n.body) else {
                continue;
            };
            body.status = hookwatch_sink::Status::Resolved;
            body.title = notification::resolved_title(&body);
            body.created_us = now_us;
            let key = stable_key("hwr", &[&n.key, "resolved", &stop_us.to_string()]);
            body.key = key.clone();
            ns.push(NewNotification {
                target: n.target.clone(),
                group_key: g.group_key.clone(),
                key,
                kind: "resolved".into(),
                body: serde_json::to_string(&body).unwrap_or_default(),
                deadline_us: now_us + limits.max_age_us,
                alert_ids: Vec::new(),
                fingerprints: Vec::new(),
            });
        }
        out.push((g.group_key, ns));
    }
    Ok(out)
}
