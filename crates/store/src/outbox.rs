//! Alerting tables: the routing cursor, alerts and their groups, the
//! notification outbox with leases, silences and target health. Plain data
//! in and out; the decisions (routes, timers, dedup, silences, inhibition)
//! are made by the caller. Every method that changes more than one row does
//! it in one transaction, so a worker killed anywhere leaves a consistent
//! state that the next worker continues from.

use crate::{row_from_sql, sql_err, EventRow, Result, Store, SELECT_ROW};
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use serde::Serialize;

/// An alert the routing tree produced, to insert with its group.
#[derive(Debug, Clone)]
pub struct NewAlert {
    pub event_id: i64,
    pub time_us: i64,
    pub route: String,
    pub group_key: String,
    /// JSON object of the group's labels.
    pub group_labels: String,
    pub session: Option<String>,
    pub target: String,
    pub fingerprint: String,
    /// JSON object of the alert's labels.
    pub labels: String,
    pub group_wait_us: i64,
    pub group_interval_us: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AlertRow {
    pub id: i64,
    pub event_id: i64,
    pub time_us: i64,
    pub routed_us: i64,
    pub route: String,
    pub group_key: String,
    pub target: String,
    pub fingerprint: String,
    pub labels: String,
    pub state: String,
    pub reason: Option<String>,
    pub notification_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GroupRow {
    pub group_key: String,
    pub route: String,
    pub labels: String,
    pub session: Option<String>,
    pub created_us: i64,
    pub next_flush_us: Option<i64>,
    pub last_flush_us: Option<i64>,
    pub firing_since_us: Option<i64>,
}

/// A notification to insert: the alerts it carries are marked notified.
#[derive(Debug, Clone)]
pub struct NewNotification {
    pub target: String,
    pub group_key: String,
    pub key: String,
    pub kind: String,
    pub body: String,
    pub deadline_us: i64,
    pub alert_ids: Vec<i64>,
    /// Fingerprints it carries (dedup log).
    pub fingerprints: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NotificationRow {
    pub id: i64,
    pub target: String,
    pub group_key: String,
    pub key: String,
    pub kind: String,
    pub body: String,
    pub state: String,
    pub attempts: i64,
    pub created_us: i64,
    pub deadline_us: i64,
    pub next_attempt_us: i64,
    pub lease_until_us: Option<i64>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub answer: Option<String>,
    pub sent_us: Option<i64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SilenceRow {
    pub id: i64,
    /// "name=value" strings.
    pub matchers: Vec<String>,
    pub starts_us: i64,
    pub ends_us: i64,
    pub created_by: String,
    pub comment: String,
    pub created_us: i64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct TargetState {
    pub target: String,
    pub broken_since_us: Option<i64>,
    pub broken_error: Option<String>,
    pub last_ok_us: Option<i64>,
}

/// What an alert became at its group's flush.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub alert_id: i64,
    /// deduplicated, silenced, inhibited (notified alerts are marked by
    /// their notification).
    pub state: &'static str,
    pub reason: String,
}

/// Counts per state, for `hookwatch alerts` and `stats`.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct OutboxSummary {
    pub pending: i64,
    pub sent: i64,
    pub dead: i64,
    pub waiting_alerts: i64,
    pub deduplicated: i64,
    pub silenced: i64,
    pub inhibited: i64,
}

const SELECT_NOTIFICATION: &str = "SELECT id, target, group_key, key, kind, body, state, attempts,
    created_us, deadline_us, next_attempt_us, lease_until_us, last_status, last_error, answer, sent_us
    FROM notifications";

fn notification_from_sql(r: &rusqlite::Row<'_>) -> rusqlite::Result<NotificationRow> {
    Ok(NotificationRow {
        id: r.get(0)?,
        target: r.get(1)?,
        group_key: r.get(2)?,
        key: r.get(3)?,
        kind: r.get(4)?,
        body: r.get(5)?,
        state: r.get(6)?,
        attempts: r.get(7)?,
        created_us: r.get(8)?,
        deadline_us: r.get(9)?,
        next_attempt_us: r.get(10)?,
        lease_until_us: r.get(11)?,
        last_status: r.get(12)?,
        last_error: r.get(13)?,
        answer: r.get(14)?,
        sent_us: r.get(15)?,
    })
}

const SELECT_ALERT: &str = "SELECT id, event_id, time_us, routed_us, route, group_key, target,
    fingerprint, labels, state, reason, notification_id FROM alerts";

fn alert_from_sql(r: &rusqlite::Row<'_>) -> rusqlite::Result<AlertRow> {
    Ok(AlertRow {
        id: r.get(0)?,
        event_id: r.get(1)?,
        time_us: r.get(2)?,
        routed_us: r.get(3)?,
        route: r.get(4)?,
        group_key: r.get(5)?,
        target: r.get(6)?,
        fingerprint: r.get(7)?,
        labels: r.get(8)?,
        state: r.get(9)?,
        reason: r.get(10)?,
        notification_id: r.get(11)?,
    })
}

impl Store {
    /// Events not yet routed, oldest first, and the cursor they start after.
    pub fn unrouted_events(&self, limit: usize) -> Result<(i64, Vec<EventRow>)> {
        let e = sql_err(&self.path);
        let cursor: i64 = self
            .conn
            .query_row("SELECT last_event_id FROM alert_cursor", [], |r| r.get(0))
            .map_err(&e)?;
        let rows = self.rows(
            &format!("{SELECT_ROW} WHERE id > ?1 ORDER BY id LIMIT ?2"),
            params![cursor, limit as i64],
            row_from_sql,
        )?;
        Ok((cursor, rows))
    }

    /// The targets the routing tree sent `event_id` to (`hookwatch replay`).
    pub fn alert_targets(&self, event_id: i64) -> Result<Vec<String>> {
        self.rows(
            "SELECT DISTINCT target FROM alerts WHERE event_id = ?1 ORDER BY 1",
            [event_id],
            |r| r.get(0),
        )
    }

    /// Insert the alerts of a routing pass and move the cursor, in one
    /// transaction: an event is routed exactly once. `resolves`: groups
    /// whose condition cleared, with their resolve notifications. `from` is the cursor the
    /// pass started at; if another worker moved it meanwhile, nothing is
    /// written (Ok(false)).
    pub fn commit_routing(
        &mut self,
        from: i64,
        to: i64,
        alerts: &[NewAlert],
        resolves: &[(String, Vec<NewNotification>)],
        now_us: i64,
    ) -> Result<bool> {
        let e = sql_err(&self.path);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&e)?;
        let moved = tx
            .execute(
                "UPDATE alert_cursor SET last_event_id = ?2 WHERE last_event_id = ?1",
                params![from, to],
            )
            .map_err(&e)?;
        if moved == 0 {
            return Ok(false);
        }
        for a in alerts {
            let n = tx
                .execute(
                    "INSERT OR IGNORE INTO alerts (event_id, time_us, routed_us, route, group_key,
                     target, fingerprint, labels) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![
                        a.event_id,
                        a.time_us,
                        now_us,
                        a.route,
                        a.group_key,
                        a.target,
                        a.fingerprint,
                        a.labels
                    ],
                )
                .map_err(&e)?;
            if n == 0 {
                continue;
            }
            // A new group waits group_wait; an idle one waits group_wait too
            // (a new burst), and at least group_interval after its last
            // flush; a group already waiting keeps its time (the alert joins
            // the burst).
            tx.execute(
                "INSERT INTO alert_groups (group_key, route, labels, session, group_interval_us,
                     created_us, next_flush_us)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6 + ?7)
                 ON CONFLICT (group_key) DO UPDATE SET
                     group_interval_us = excluded.group_interval_us,
                     next_flush_us = coalesce(next_flush_us,
                         max(?6 + ?7, coalesce(last_flush_us, 0) + excluded.group_interval_us))",
                params![
                    a.group_key,
                    a.route,
                    a.group_labels,
                    a.session,
                    a.group_interval_us,
                    now_us,
                    a.group_wait_us
                ],
            )
            .map_err(&e)?;
        }
        for (group_key, ns) in resolves {
            for n in ns {
                insert_notification(&tx, n, now_us).map_err(&e)?;
            }
            tx.execute(
                "UPDATE alert_groups SET firing_since_us = NULL WHERE group_key = ?1",
                [group_key],
            )
            .map_err(&e)?;
        }
        tx.commit().map_err(&e)?;
        Ok(true)
    }

    /// Are there stored events the routing pass (alerts) or the recovery
    /// pass has not looked at yet? A worker about to exit checks this, so an
    /// event ingested by someone else meanwhile is not left unrouted.
    pub fn cursors_behind(&self, alerts: bool, recover: bool) -> Result<bool> {
        let e = sql_err(&self.path);
        let newest: i64 = self
            .conn
            .query_row("SELECT coalesce(max(id), 0) FROM events", [], |r| r.get(0))
            .map_err(&e)?;
        let mut behind = false;
        if alerts {
            let c: i64 = self
                .conn
                .query_row("SELECT last_event_id FROM alert_cursor", [], |r| r.get(0))
                .map_err(&e)?;
            behind |= c < newest;
        }
        if recover {
            let c: i64 = self
                .conn
                .query_row("SELECT last_event_id FROM recover_cursor", [], |r| r.get(0))
                .map_err(&e)?;
            behind |= c < newest;
        }
        Ok(behind)
    }

    /// Groups whose flush time has come.
    pub fn due_groups(&self, now_us: i64) -> Result<Vec<GroupRow>> {
        self.rows(
            "SELECT group_key, route, labels, session, created_us, next_flush_us, last_flush_us,
                    firing_since_us
             FROM alert_groups WHERE next_flush_us IS NOT NULL AND next_flush_us <= ?1
             ORDER BY next_flush_us",
            [now_us],
            group_from_sql,
        )
    }

    pub fn pending_alerts(&self, group_key: &str) -> Result<Vec<AlertRow>> {
        self.rows(
            &format!("{SELECT_ALERT} WHERE group_key = ?1 AND state = 'pending' ORDER BY id"),
            [group_key],
            alert_from_sql,
        )
    }

    /// When `fingerprint` last went to `target`, and in which notification.
    pub fn fingerprint_sent(&self, target: &str, fingerprint: &str) -> Result<Option<(i64, i64)>> {
        self.conn
            .query_row(
                // A dead-lettered notification told nobody: it does not count.
                "SELECT s.sent_us, s.notification_id FROM sent_fingerprints s
                 JOIN notifications n ON n.id = s.notification_id
                 WHERE s.target = ?1 AND s.fingerprint = ?2 AND n.state != 'dead'",
                [target, fingerprint],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(sql_err(&self.path))
    }

    /// Apply a group's flush in one transaction: suppressed alerts get their
    /// state, each notification is inserted and its alerts marked, the dedup
    /// log updated, and the group's timer cleared. `firing`: the group now
    /// has a notified StopFailure (it can be resolved later).
    pub fn commit_flush(
        &mut self,
        group_key: &str,
        now_us: i64,
        decisions: &[Decision],
        notifications: &[NewNotification],
        firing: bool,
    ) -> Result<Vec<i64>> {
        let e = sql_err(&self.path);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&e)?;
        for d in decisions {
            tx.execute(
                "UPDATE alerts SET state = ?2, reason = ?3 WHERE id = ?1 AND state = 'pending'",
                params![d.alert_id, d.state, d.reason],
            )
            .map_err(&e)?;
        }
        let mut ids = Vec::new();
        for n in notifications {
            let id = insert_notification(&tx, n, now_us).map_err(&e)?;
            ids.push(id);
            for a in &n.alert_ids {
                tx.execute(
                    "UPDATE alerts SET state = 'notified', notification_id = ?2 WHERE id = ?1",
                    params![a, id],
                )
                .map_err(&e)?;
            }
            for fp in &n.fingerprints {
                tx.execute(
                    "INSERT INTO sent_fingerprints (target, fingerprint, sent_us, notification_id)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (target, fingerprint) DO UPDATE SET
                         sent_us = excluded.sent_us, notification_id = excluded.notification_id",
                    params![n.target, fp, now_us, id],
                )
                .map_err(&e)?;
            }
        }
        tx.execute(
            "UPDATE alert_groups SET next_flush_us = NULL, last_flush_us = ?2,
                 firing_since_us = CASE WHEN ?3 THEN coalesce(firing_since_us, ?2)
                                        ELSE firing_since_us END
             WHERE group_key = ?1",
            params![group_key, now_us, firing],
        )
        .map_err(&e)?;
        tx.commit().map_err(&e)?;
        Ok(ids)
    }

    /// Groups of `session` with a notified StopFailure not yet resolved.
    pub fn firing_groups(&self, session: &str) -> Result<Vec<GroupRow>> {
        self.rows(
            "SELECT group_key, route, labels, session, created_us, next_flush_us, last_flush_us,
                    firing_since_us
             FROM alert_groups WHERE session = ?1 AND firing_since_us IS NOT NULL",
            [session],
            group_from_sql,
        )
    }

    /// Firing notifications of a group, newest first (what a resolve refers to).
    pub fn group_notifications(&self, group_key: &str) -> Result<Vec<NotificationRow>> {
        self.rows(
            &format!(
                "{SELECT_NOTIFICATION} WHERE group_key = ?1 AND kind = 'firing' ORDER BY id DESC"
            ),
            [group_key],
            notification_from_sql,
        )
    }

    /// Insert one notification outside a flush (tests, broken-target
    /// reports). A key already present is left alone (Ok(None)).
    pub fn enqueue(&mut self, n: &NewNotification, now_us: i64) -> Result<Option<i64>> {
        let e = sql_err(&self.path);
        let exists: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM notifications WHERE key = ?1",
                [&n.key],
                |r| r.get(0),
            )
            .optional()
            .map_err(&e)?;
        if exists.is_some() {
            return Ok(None);
        }
        let tx = self.conn.transaction().map_err(&e)?;
        let id = insert_notification(&tx, n, now_us).map_err(&e)?;
        tx.commit().map_err(&e)?;
        Ok(Some(id))
    }

    /// Claim up to `limit` due notifications for `lease_us`: a row is due
    /// when pending, its time has come and no live lease holds it. The
    /// attempt is counted at claim, so a worker killed mid-send still uses
    /// one up (a target that kills workers cannot loop forever).
    pub fn claim_due(
        &mut self,
        now_us: i64,
        lease_us: i64,
        limit: usize,
    ) -> Result<Vec<NotificationRow>> {
        let e = sql_err(&self.path);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&e)?;
        let rows = {
            let mut stmt = tx
                .prepare(
                    "UPDATE notifications SET lease_until_us = ?1 + ?2, attempts = attempts + 1
                     WHERE id IN (SELECT id FROM notifications AS n
                                  WHERE state = 'pending' AND next_attempt_us <= ?1
                                    AND (lease_until_us IS NULL OR lease_until_us <= ?1)
                                    -- A resolve waits for its trigger: sent
                                    -- first, it would leave an incident open.
                                    AND NOT (kind = 'resolved' AND EXISTS (
                                        SELECT 1 FROM notifications f
                                        WHERE f.group_key = n.group_key AND f.target = n.target
                                          AND f.kind = 'firing' AND f.state = 'pending'))
                                  ORDER BY next_attempt_us, id LIMIT ?3)
                     RETURNING id, target, group_key, key, kind, body, state, attempts,
                        created_us, deadline_us, next_attempt_us, lease_until_us, last_status,
                        last_error, answer, sent_us",
                )
                .map_err(&e)?;
            let rows = stmt
                .query_map(
                    params![now_us, lease_us, limit as i64],
                    notification_from_sql,
                )
                .map_err(&e)?
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(&e)?;
            rows
        };
        tx.commit().map_err(&e)?;
        let mut rows = rows;
        rows.sort_by_key(|r| (r.next_attempt_us, r.id));
        Ok(rows)
    }

    pub fn mark_sent(
        &mut self,
        id: i64,
        now_us: i64,
        status: Option<u16>,
        answer: &str,
    ) -> Result<()> {
        let e = sql_err(&self.path);
        let tx = self.conn.transaction().map_err(&e)?;
        tx.execute(
            "UPDATE notifications SET state = 'sent', sent_us = ?2, last_status = ?3, answer = ?4,
                 lease_until_us = NULL, last_error = NULL WHERE id = ?1",
            params![id, now_us, status, answer],
        )
        .map_err(&e)?;
        tx.execute(
            "INSERT INTO target_state (target, last_ok_us)
                 SELECT target, ?2 FROM notifications WHERE id = ?1
             ON CONFLICT (target) DO UPDATE SET last_ok_us = excluded.last_ok_us,
                 broken_since_us = NULL, broken_error = NULL",
            params![id, now_us],
        )
        .map_err(&e)?;
        tx.commit().map_err(&e)
    }

    /// A failed attempt to try again at `next_us`.
    pub fn mark_retry(
        &mut self,
        id: i64,
        next_us: i64,
        status: Option<u16>,
        error: &str,
    ) -> Result<()> {
        self.conn
            .execute(
                "UPDATE notifications SET next_attempt_us = ?2, last_status = ?3, last_error = ?4,
                     lease_until_us = NULL WHERE id = ?1",
                params![id, next_us, status, error],
            )
            .map(|_| ())
            .map_err(sql_err(&self.path))
    }

    /// Not attempted (rate limit): back to pending at `next_us`, the attempt
    /// not counted.
    pub fn defer(&mut self, id: i64, next_us: i64) -> Result<()> {
        self.conn
            .execute(
                "UPDATE notifications SET next_attempt_us = ?2, lease_until_us = NULL,
                     attempts = max(attempts - 1, 0) WHERE id = ?1",
                params![id, next_us],
            )
            .map(|_| ())
            .map_err(sql_err(&self.path))
    }

    pub fn mark_dead(&mut self, id: i64, status: Option<u16>, error: &str) -> Result<()> {
        self.conn
            .execute(
                "UPDATE notifications SET state = 'dead', last_status = ?2, last_error = ?3,
                     lease_until_us = NULL,
                     dead_us = CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)
                 WHERE id = ?1",
                params![id, status, error],
            )
            .map(|_| ())
            .map_err(sql_err(&self.path))
    }

    /// Record a permanent failure of `target`. Returns true when the target
    /// was healthy until now: the caller reports the breakage, once.
    pub fn mark_target_broken(&mut self, target: &str, error: &str, now_us: i64) -> Result<bool> {
        let e = sql_err(&self.path);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&e)?;
        let was: Option<Option<i64>> = tx
            .query_row(
                "SELECT broken_since_us FROM target_state WHERE target = ?1",
                [target],
                |r| r.get(0),
            )
            .optional()
            .map_err(&e)?;
        let newly = !matches!(was, Some(Some(_)));
        if newly {
            tx.execute(
                "INSERT INTO target_state (target, broken_since_us, broken_error) VALUES (?1, ?2, ?3)
                 ON CONFLICT (target) DO UPDATE SET broken_since_us = ?2, broken_error = ?3",
                params![target, now_us, error],
            )
            .map_err(&e)?;
        }
        tx.commit().map_err(&e)?;
        Ok(newly)
    }

    pub fn target_states(&self) -> Result<Vec<TargetState>> {
        self.rows(
            "SELECT target, broken_since_us, broken_error, last_ok_us FROM target_state ORDER BY target",
            [],
            |r| {
                Ok(TargetState {
                    target: r.get(0)?,
                    broken_since_us: r.get(1)?,
                    broken_error: r.get(2)?,
                    last_ok_us: r.get(3)?,
                })
            },
        )
    }

    /// Send times of `target` after `since_us` (rate limits).
    pub fn sent_times(&self, target: &str, since_us: i64) -> Result<Vec<i64>> {
        self.rows(
            "SELECT sent_us FROM notifications WHERE target = ?1 AND sent_us > ?2",
            params![target, since_us],
            |r| r.get(0),
        )
    }

    /// The earliest moment there is work: a group to flush or a pending
    /// notification to (re)try.
    pub fn next_due(&self) -> Result<Option<i64>> {
        self.conn
            .query_row(
                "SELECT min(t) FROM (
                    SELECT min(next_flush_us) AS t FROM alert_groups WHERE next_flush_us IS NOT NULL
                    UNION ALL
                    SELECT min(max(next_attempt_us, coalesce(lease_until_us, 0))) FROM notifications AS n
                        WHERE state = 'pending'
                          AND NOT (kind = 'resolved' AND EXISTS (
                              SELECT 1 FROM notifications f
                              WHERE f.group_key = n.group_key AND f.target = n.target
                                AND f.kind = 'firing' AND f.state = 'pending')))",
                [],
                |r| r.get(0),
            )
            .map_err(sql_err(&self.path))
    }

    /// Notifications, newest first. `state`: pending, sent, dead or None for all.
    pub fn notifications(&self, state: Option<&str>, limit: usize) -> Result<Vec<NotificationRow>> {
        let mut rows = match state {
            Some(s) => self.rows(
                &format!("{SELECT_NOTIFICATION} WHERE state = ?1 ORDER BY id DESC LIMIT ?2"),
                params![s, limit as i64],
                notification_from_sql,
            )?,
            None => self.rows(
                &format!("{SELECT_NOTIFICATION} ORDER BY id DESC LIMIT ?1"),
                [limit as i64],
                notification_from_sql,
            )?,
        };
        rows.reverse();
        Ok(rows)
    }

    pub fn notification(&self, id: i64) -> Result<Option<NotificationRow>> {
        self.conn
            .query_row(
                &format!("{SELECT_NOTIFICATION} WHERE id = ?1"),
                [id],
                notification_from_sql,
            )
            .optional()
            .map_err(sql_err(&self.path))
    }

    /// Alerts, newest first; `state` filters (pending, notified,
    /// deduplicated, silenced, inhibited).
    pub fn alerts(&self, state: Option<&str>, limit: usize) -> Result<Vec<AlertRow>> {
        let mut rows = match state {
            Some(s) => self.rows(
                &format!("{SELECT_ALERT} WHERE state = ?1 ORDER BY id DESC LIMIT ?2"),
                params![s, limit as i64],
                alert_from_sql,
            )?,
            None => self.rows(
                &format!("{SELECT_ALERT} ORDER BY id DESC LIMIT ?1"),
                [limit as i64],
                alert_from_sql,
            )?,
        };
        rows.reverse();
        Ok(rows)
    }

    pub fn alerts_of_notification(&self, id: i64) -> Result<Vec<AlertRow>> {
        self.rows(
            &format!("{SELECT_ALERT} WHERE notification_id = ?1 ORDER BY id"),
            [id],
            alert_from_sql,
        )
    }

    /// Put a dead (or pending) notification back in line now, with a fresh
    /// attempt count and deadline. Ok(false): no such notification, or it
    /// was already sent.
    pub fn retry_notification(&mut self, id: i64, now_us: i64, deadline_us: i64) -> Result<bool> {
        self.conn
            .execute(
                "UPDATE notifications SET state = 'pending', attempts = 0, next_attempt_us = ?2,
                     deadline_us = ?3, lease_until_us = NULL WHERE id = ?1 AND state != 'sent'",
                params![id, now_us, deadline_us],
            )
            .map(|n| n > 0)
            .map_err(sql_err(&self.path))
    }

    pub fn outbox_summary(&self, since_us: i64) -> Result<OutboxSummary> {
        let e = sql_err(&self.path);
        let mut s = OutboxSummary::default();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT state, count(*) FROM notifications WHERE created_us >= ?1 GROUP BY state",
            )
            .map_err(&e)?;
        let rows = stmt
            .query_map([since_us], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })
            .map_err(&e)?;
        for row in rows {
            let (state, n) = row.map_err(&e)?;
            match state.as_str() {
                "pending" => s.pending = n,
                "sent" => s.sent = n,
                "dead" => s.dead = n,
                _ => {}
            }
        }
        let mut stmt = self
            .conn
            .prepare("SELECT state, count(*) FROM alerts WHERE routed_us >= ?1 GROUP BY state")
            .map_err(&e)?;
        let rows = stmt
            .query_map([since_us], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })
            .map_err(&e)?;
        for row in rows {
            let (state, n) = row.map_err(&e)?;
            match state.as_str() {
                "pending" => s.waiting_alerts = n,
                "deduplicated" => s.deduplicated = n,
                "silenced" => s.silenced = n,
                "inhibited" => s.inhibited = n,
                _ => {}
            }
        }
        Ok(s)
    }

    /// Events named `names` (all when empty) between two times, for
    /// inhibition sources; at most `limit`, newest first.
    pub fn events_between(
        &self,
        names: &[String],
        from_us: i64,
        to_us: i64,
        session: Option<&str>,
        limit: usize,
    ) -> Result<Vec<EventRow>> {
        let mut sql = format!("{SELECT_ROW} WHERE time_us BETWEEN ?1 AND ?2");
        let mut args: Vec<rusqlite::types::Value> = vec![from_us.into(), to_us.into()];
        if let Some(s) = session {
            args.push(s.to_string().into());
            sql.push_str(&format!(" AND session_id = ?{}", args.len()));
        }
        if !names.is_empty() {
            let mut marks = Vec::new();
            for n in names {
                args.push(n.clone().into());
                marks.push(format!("?{}", args.len()));
            }
            sql.push_str(&format!(" AND event IN ({})", marks.join(",")));
        }
        sql.push_str(&format!(" ORDER BY id DESC LIMIT {limit}"));
        self.rows(&sql, rusqlite::params_from_iter(args), row_from_sql)
    }

    pub fn add_silence(
        &mut self,
        matchers: &[String],
        starts_us: i64,
        ends_us: i64,
        created_by: &str,
        comment: &str,
        now_us: i64,
    ) -> Result<i64> {
        let e = sql_err(&self.path);
        let m = serde_json::to_string(matchers).unwrap_or_else(|_| "[]".into());
        self.conn
            .execute(
                "INSERT INTO silences (matchers, starts_us, ends_us, created_by, comment, created_us)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![m, starts_us, ends_us, created_by, comment, now_us],
            )
            .map_err(&e)?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Silences, all or only those not yet expired at `now_us`.
    pub fn silences(&self, now_us: Option<i64>) -> Result<Vec<SilenceRow>> {
        let sql = "SELECT id, matchers, starts_us, ends_us, created_by, comment, created_us
                   FROM silences WHERE ends_us > ?1 ORDER BY id";
        self.rows(sql, [now_us.unwrap_or(i64::MIN)], |r| {
            let m: String = r.get(1)?;
            Ok(SilenceRow {
                id: r.get(0)?,
                matchers: serde_json::from_str(&m).unwrap_or_default(),
                starts_us: r.get(2)?,
                ends_us: r.get(3)?,
                created_by: r.get(4)?,
                comment: r.get(5)?,
                created_us: r.get(6)?,
            })
        })
    }

    /// Expire a silence now. Ok(false): no such silence or already expired.
    pub fn expire_silence(&mut self, id: i64, now_us: i64) -> Result<bool> {
        self.conn
            .execute(
                "UPDATE silences SET ends_us = ?2 WHERE id = ?1 AND ends_us > ?2",
                params![id, now_us],
            )
            .map(|n| n > 0)
            .map_err(sql_err(&self.path))
    }
}

impl Store {
    /// Forget what is settled and older than `before_us`: sent and dead
    /// notifications, decided alerts, idle groups, old dedup entries. Keeps
    /// the outbox bounded however long hookwatch runs.
    pub fn prune_outbox(&mut self, before_us: i64) -> Result<()> {
        let e = sql_err(&self.path);
        let tx = self.conn.transaction().map_err(&e)?;
        for sql in [
            "DELETE FROM notifications WHERE state IN ('sent', 'dead') AND created_us < ?1",
            "DELETE FROM alerts WHERE state != 'pending' AND routed_us < ?1",
            "DELETE FROM alert_groups WHERE next_flush_us IS NULL AND firing_since_us IS NULL
                 AND coalesce(last_flush_us, created_us) < ?1",
            "DELETE FROM sent_fingerprints WHERE sent_us < ?1",
            // Attention decisions ([notify]) keep the outbox's 30 days too.
            "DELETE FROM attention WHERE state != 'held' AND time_us < ?1",
        ] {
            tx.execute(sql, [before_us]).map_err(&e)?;
        }
        tx.commit().map_err(&e)
    }
}

fn group_from_sql(r: &rusqlite::Row<'_>) -> rusqlite::Result<GroupRow> {
    Ok(GroupRow {
        group_key: r.get(0)?,
        route: r.get(1)?,
        labels: r.get(2)?,
        session: r.get(3)?,
        created_us: r.get(4)?,
        next_flush_us: r.get(5)?,
        last_flush_us: r.get(6)?,
        firing_since_us: r.get(7)?,
    })
}

pub(crate) fn insert_notification(
    tx: &rusqlite::Transaction<'_>,
    n: &NewNotification,
    now_us: i64,
) -> rusqlite::Result<i64> {
    let inserted = tx.execute(
        "INSERT OR IGNORE INTO notifications (target, group_key, key, kind, body, created_us, deadline_us,
             next_attempt_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?6)",
        params![n.target, n.group_key, n.key, n.kind, n.body, now_us, n.deadline_us],
    )?;
    if inserted == 0 {
        // The same key was queued before (a replayed pass): that row stands.
        return tx.query_row(
            "SELECT id FROM notifications WHERE key = ?1",
            [&n.key],
            |r| r.get(0),
        );
    }
    Ok(tx.last_insert_rowid())
}
