//! Flushing a group whose timer is due: each waiting alert is checked
//! against silences, then inhibition, then the dedup log of its target; the
//! rest become one notification per target. Decisions and notifications
//! commit in one transaction.

use super::{labels_of, notification, stable_key, Alerting};
use hookwatch_alert::{Labels, Matchers, Silence};
use hookwatch_store::outbox::{AlertRow, Decision, NewNotification};
use hookwatch_store::Store;
use std::collections::BTreeMap;

/// Flush every due group; returns the number of notifications queued.
pub fn run(store: &mut Store, a: &Alerting, now_us: i64) -> Result<usize, String> {
    let silences = active_silences(store, now_us)?;
    let rules = a.config.inhibit_rules();
    let mut queued = 0;
    for g in store.due_groups(now_us).map_err(|e| e.to_string())? {
        let alerts = store
            .pending_alerts(&g.group_key)
            .map_err(|e| e.to_string())?;
        let group_labels: Labels = serde_json::from_str(&g.labels).unwrap_or_default();
        // The route may have been renamed or removed since: the root's
        // repeat interval then applies.
        let repeat_us = a.tree.find(&g.route).unwrap_or(&a.tree).repeat_interval_us;
        let mut decisions = Vec::new();
        let mut keep: Vec<&AlertRow> = Vec::new();
        for alert in &alerts {
            let labels: Labels = serde_json::from_str(&alert.labels).unwrap_or_default();
            if let Some(s) = silences.iter().find(|s| s.mutes(&labels, now_us)) {
                decisions.push(Decision {
                    alert_id: alert.id,
                    state: "silenced",
                    reason: format!("silence {} by {}: {}", s.id, s.created_by, s.comment),
                });
            } else if let Some(why) = inhibited(store, &rules, alert, &labels)? {
                decisions.push(Decision {
                    alert_id: alert.id,
                    state: "inhibited",
                    reason: why,
                });
            } else {
                keep.push(alert);
            }
        }
        let mut by_target: BTreeMap<&str, Vec<&AlertRow>> = BTreeMap::new();
        for alert in keep {
            by_target.entry(&alert.target).or_default().push(alert);
        }
        let mut notifications = Vec::new();
        let mut firing = false;
        for (target, alerts) in by_target {
            let mut send: Vec<&AlertRow> = Vec::new();
            for alert in alerts {
                // Already told within repeat_interval (or in flight): count,
                // do not send. A repeat inside this flush folds into the
                // same notification instead.
                match store
                    .fingerprint_sent(target, &alert.fingerprint)
                    .map_err(|e| e.to_string())?
                {
                    Some((sent_us, nid)) if now_us - sent_us < repeat_us => {
                        decisions.push(Decision {
                            alert_id: alert.id,
                            state: "deduplicated",
                            reason: format!("same fingerprint sent in notification {nid}"),
                        });
                    }
                    _ => send.push(alert),
                }
            }
            if send.is_empty() {
                continue;
            }
            let limits = a.config.limits(target).ok();
            let max_age = limits.map(|l| l.max_age_us).unwrap_or(86_400_000_000);
            let mut body = notification::build(
                store,
                &send,
                &group_labels,
                &g.route,
                a.config.max_alerts_per_notification.max(1),
                now_us,
            );
            let ids: Vec<String> = send.iter().map(|a| a.id.to_string()).collect();
            let key = stable_key("hw", &[target, &g.group_key, &ids.join(",")]);
            body.key = key.clone();
            body.group_key = g.group_key.clone();
            firing |= send.iter().any(|a| {
                serde_json::from_str::<Labels>(&a.labels)
                    .is_ok_and(|l| l.get("event").is_some_and(|e| e == "StopFailure"))
            });
            let mut fingerprints: Vec<String> =
                send.iter().map(|a| a.fingerprint.clone()).collect();
            fingerprints.sort();
            fingerprints.dedup();
            notifications.push(NewNotification {
                target: target.to_string(),
                group_key: g.group_key.clone(),
                key,
                kind: "firing".into(),
                body: serde_json::to_string(&body).unwrap_or_default(),
                deadline_us: now_us + max_age,
                alert_ids: send.iter().map(|a| a.id).collect(),
                fingerprints,
            });
        }
        queued += notifications.len();
        store
            .commit_flush(&g.group_key, now_us, &decisions, &notifications, firing)
            .map_err(|e| e.to_string())?;
    }
    Ok(queued)
}

fn active_silences(store: &Store, now_us: i64) -> Result<Vec<Silence>, String> {
    let rows = store.silences(Some(now_us)).map_err(|e| e.to_string())?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(Silence {
                id: r.id,
                matchers: Matchers::parse(&r.matchers).ok()?,
                starts_us: r.starts_us,
                ends_us: r.ends_us,
                created_by: r.created_by,
                comment: r.comment,
                created_us: r.created_us,
            })
        })
        .collect())
}

/// Is the alert muted by a recent event matching an inhibition rule's
/// source? Sources are looked up among all recorded events (routed or not)
/// within the rule's window on either side of the alert.
fn inhibited(
    store: &Store,
    rules: &[hookwatch_alert::InhibitRule],
    alert: &AlertRow,
    labels: &Labels,
) -> Result<Option<String>, String> {
    for rule in rules {
        if !rule.target.matches(labels) {
            continue;
        }
        let names: Vec<String> = rule
            .source
            .0
            .iter()
            .filter_map(|m| m.required("event").map(str::to_string))
            .collect();
        let session = rule
            .equal
            .iter()
            .any(|k| k == "session")
            .then(|| labels.get("session").map(String::as_str))
            .flatten();
        let w = rule.window_us();
        let rows = store
            .events_between(&names, alert.time_us - w, alert.time_us + w, session, 500)
            .map_err(|e| e.to_string())?;
        for row in rows.iter().filter(|r| r.id != alert.event_id) {
            let source = labels_of(row);
            if rule.inhibits(&source, labels) {
                return Ok(Some(format!(
                    "muted by event {} ({}{})",
                    row.id,
                    row.event,
                    source
                        .get("error_type")
                        .map(|e| format!(" {e}"))
                        .unwrap_or_default()
                )));
            }
        }
    }
    Ok(None)
}
