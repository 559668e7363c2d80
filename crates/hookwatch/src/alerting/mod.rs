//! Alerting, run by the worker (never by the hook): route new events
//! through the tree into alerts (`route`), turn due groups into
//! notifications after silences, inhibition and dedup (`flush`), and deliver
//! the outbox with leases, backoff and dead-lettering (`deliver`). Each step
//! commits its own transaction, so a worker killed between or inside steps
//! leaves work the next worker picks up; nothing is sent twice except a
//! notification whose worker died mid-send (at-least-once, with the
//! target's idempotency key).

pub mod deliver;
pub mod flush;
pub mod notification;
pub mod route;

use hookwatch_alert::{AlertsConfig, Route};
use hookwatch_sink::Resolved;
use std::collections::BTreeMap;

/// Checked alerting config with the secrets of every target loaded.
pub struct Alerting {
    pub config: AlertsConfig,
    /// Alerts are routed (`[alerts]` on with a target that takes alerts);
    /// false when the targets are there only for `[notify]`.
    pub routing: bool,
    pub tree: Route,
    /// Target name → resolved target, or why it cannot be used.
    pub targets: BTreeMap<String, Result<Resolved, String>>,
    /// Loose permissions on files holding secrets (config.toml among them).
    pub warnings: Vec<String>,
}

impl Alerting {
    /// None when neither alerts nor attention notifications (`[notify]`)
    /// have an enabled target: nothing to deliver.
    pub fn load(
        config: &AlertsConfig,
        notify: &hookwatch_attention::NotifyConfig,
        config_file: &std::path::Path,
    ) -> Result<Option<Alerting>, String> {
        if !config.active() && !notify.active() {
            return Ok(None);
        }
        let tree = config.check()?;
        let mut warnings = Vec::new();
        if let Some(w) = hookwatch_sink::permission_warning(config_file) {
            warnings.push(w);
        }
        let mut targets = BTreeMap::new();
        for (name, t) in &config.targets {
            let r = hookwatch_sink::resolve(name, t);
            if let Ok(r) = &r {
                warnings.extend(r.warnings.iter().cloned());
            }
            targets.insert(name.clone(), r);
        }
        Ok(Some(Alerting {
            config: config.clone(),
            routing: config.active(),
            tree,
            targets,
            warnings,
        }))
    }
}

/// Labels of a stored event.
pub fn labels_of(row: &hookwatch_store::EventRow) -> hookwatch_alert::Labels {
    hookwatch_alert::labels::of(&hookwatch_alert::EventFacts {
        event: &row.event,
        session: row.session_id.as_deref(),
        project: row.project.as_deref().or(row.cwd.as_deref()),
        tool: row.tool_name.as_deref(),
        mcp_server: row.mcp_server.as_deref(),
        agent_id: row.agent_id.as_deref(),
        error: row.error.as_deref(),
        class: row.class.as_deref(),
        severity: row.severity.as_deref(),
        expected: row.expected,
        fingerprint: row.fingerprint.as_deref().filter(|f| *f != "-"),
        command_head: row.command_head.as_deref(),
        is_interrupt: row.is_interrupt,
        guard_decision: row.guard_decision.as_deref(),
    })
}

/// A stable id for a set of things: notification keys, dedup keys. Never
/// contains '.', which Standard Webhooks forbids in ids.
pub fn stable_key(prefix: &str, parts: &[&str]) -> String {
    let mut h = blake3::Hasher::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update(b"\x1f");
    }
    format!("{prefix}_{}", &h.finalize().to_hex()[..26])
}
