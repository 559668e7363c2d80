//! `hookwatch notify`: set up a target for attention notifications, send a
//! sample of each kind, show what was decided and why, and the table of
//! Claude Code's Notification types.

use crate::cmd::ingest::open_fresh;
use crate::cmd::load_config;
use crate::cmd::query::safe;
use crate::paths::Paths;
use anyhow::{anyhow, bail, Context, Result};
use hookwatch_attention::kind::NOTIFICATION_TYPES;
use hookwatch_attention::Kind;
use hookwatch_sink::{Attention, Delivery, Notification, Priority, SendOptions, Severity};
use serde_json::json;
use toml_edit::Value as TomlValue;

/// What `notify setup` (and `install --notify`) is asked to add.
#[derive(Debug, Clone)]
pub struct Setup {
    /// desktop, ntfy, slack, discord, telegram, webhook, command.
    pub kind: String,
    /// ntfy topic, Telegram chat id, or the command's argv[0].
    pub arg: Option<String>,
    pub name: Option<String>,
    /// ntfy server (default ntfy.sh).
    pub server: Option<String>,
    /// Env var holding the secret (Slack/Discord/webhook URL, Telegram bot token, ntfy token).
    pub secret_env: Option<String>,
    /// File holding it instead.
    pub secret_file: Option<String>,
    pub dry_run: bool,
}

/// The target's fields: secrets only as env/file references.
fn fields(s: &Setup) -> Result<Vec<(&'static str, TomlValue)>> {
    let secret = |env_key: &'static str, file_key: &'static str, default_env: &str| match (
        &s.secret_file,
        &s.secret_env,
    ) {
        (Some(f), _) => (file_key, TomlValue::from(f.as_str())),
        (None, Some(e)) => (env_key, TomlValue::from(e.as_str())),
        (None, None) => (env_key, TomlValue::from(default_env)),
    };
    let mut f: Vec<(&'static str, TomlValue)> = vec![("type", TomlValue::from(s.kind.as_str()))];
    match s.kind.as_str() {
        "desktop" => {}
        "ntfy" => {
            let topic = s.arg.as_deref().ok_or_else(|| {
                anyhow!("ntfy needs a topic: `hookwatch notify setup ntfy MY-SECRET-TOPIC` (on ntfy.sh the topic name is the password: make it long and random)")
            })?;
            if let Some(server) = &s.server {
                f.push(("server", server.as_str().into()));
            }
            f.push(("topic", topic.into()));
            if s.secret_env.is_some() || s.secret_file.is_some() {
                f.push(secret("token_env", "token_file", "HOOKWATCH_NTFY_TOKEN"));
            }
        }
        "slack" => f.push(secret("url_env", "url_file", "HOOKWATCH_SLACK_URL")),
        "discord" => f.push(secret("url_env", "url_file", "HOOKWATCH_DISCORD_URL")),
        "webhook" => f.push(secret("url_env", "url_file", "HOOKWATCH_WEBHOOK_URL")),
        "telegram" => {
            let chat = s.arg.as_deref().ok_or_else(|| {
                anyhow!("telegram needs the chat id: `hookwatch notify setup telegram CHAT_ID` (message your bot, then open https://api.telegram.org/bot<TOKEN>/getUpdates to read it)")
            })?;
            f.push(secret("bot_token_env", "bot_token_file", "HOOKWATCH_TELEGRAM_TOKEN"));
            f.push(("chat_id", chat.into()));
        }
        "command" => {
            let prog = s.arg.as_deref().ok_or_else(|| {
                anyhow!("command needs a program: `hookwatch notify setup command /path/to/notifier` (it gets the notification as JSON on stdin)")
            })?;
            let mut argv = toml_edit::Array::new();
            argv.push(prog);
            f.push(("argv", TomlValue::Array(argv)));
        }
        other => bail!(
            "unknown target type {other:?}: use desktop, ntfy, slack, discord, telegram, webhook or command"
        ),
    }
    Ok(f)
}

/// Plan the config edit: the new text, checked to load with the target in
/// [notify]. Nothing is written.
pub fn plan(s: &Setup, paths: &Paths) -> Result<(String, Option<String>, String, String)> {
    let name = s.name.clone().unwrap_or_else(|| s.kind.clone());
    let file = &paths.config_file;
    let old = match std::fs::read_to_string(file) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", file.display())),
    };
    let (text, change) =
        crate::config_edit::add_notify_target(old.as_deref().unwrap_or(""), &name, &fields(s)?)
            .map_err(|why| anyhow!("{} {why}; hookwatch changed nothing", file.display()))?;
    let cfg: crate::config::Config = toml::from_str(&text).map_err(|e| {
        anyhow!(
            "{} would not load after the edit ({}); fix the file first, hookwatch changed nothing",
            file.display(),
            e.message().trim()
        )
    })?;
    anyhow::ensure!(
        cfg.notify.active(),
        "{}: notifications would still be off after the edit ([notify] enabled = false?); hookwatch changed nothing",
        file.display()
    );
    Ok((text, old, change, name))
}

pub fn setup(s: &Setup) -> Result<()> {
    let paths = Paths::resolve();
    let (text, old, change, name) = plan(s, &paths)?;
    let file = &paths.config_file;
    if s.dry_run {
        print!(
            "{}",
            crate::cmd::install::diff(file, old.as_deref().unwrap_or(""), &text)
        );
        println!("(dry run: nothing written)");
        return Ok(());
    }
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    crate::cmd::install::write_atomic(file, &text, file)?;
    println!("{}: {change}", file.display());
    match s.kind.as_str() {
        "slack" | "discord" | "webhook" | "telegram" if s.secret_file.is_none() => {
            let var = fields(s)?
                .into_iter()
                .find(|(k, _)| k.ends_with("_env"))
                .and_then(|(_, v)| v.as_str().map(str::to_string))
                .unwrap_or_default();
            println!("Put the secret in ${var} where the worker runs (e.g. your shell profile), or use --secret-file.");
        }
        _ => {}
    }
    println!("Send a sample of each kind: hookwatch notify test --target {name}");
    Ok(())
}

/// A sample notification of `kind`, as the worker would build it.
fn sample(kind: Kind, target: &str, now: i64) -> Notification {
    let (title, cause, message, priority) = match kind {
        Kind::Done => (
            "Claude is done in hookwatch-demo",
            "Stop",
            "I fixed the failing login test: the session cookie was read before it was set.",
            Priority::Default,
        ),
        Kind::NeedsYou => (
            "Claude needs your permission in hookwatch-demo",
            "permission_prompt",
            "Claude needs your permission to use Bash",
            Priority::High,
        ),
        Kind::Idle => (
            "Claude is waiting for your input in hookwatch-demo",
            "idle_prompt",
            "Claude is waiting for your input",
            Priority::Low,
        ),
        Kind::Failed => (
            "Claude Code stopped in hookwatch-demo: rate_limit",
            "StopFailure",
            "API Error: 429 rate limit reached; resets at 3pm",
            Priority::High,
        ),
    };
    let mut alerts = Vec::new();
    if kind == Kind::Failed {
        alerts.push(hookwatch_sink::AlertItem {
            event: "StopFailure".into(),
            error: Some(message.into()),
            error_type: Some("rate_limit".into()),
            severity: Severity::Error,
            count: 1,
            time_us: now,
            ..Default::default()
        });
    }
    Notification {
        key: crate::alerting::stable_key("hwt", &[target, kind.as_str(), &now.to_string()]),
        group_key: format!("test:{target}"),
        title: title.into(),
        severity: if kind == Kind::Failed {
            Severity::Error
        } else {
            Severity::Info
        },
        created_us: now,
        route: format!("notify.{kind}"),
        project: Some("/home/you/src/hookwatch-demo".into()),
        session: Some("00000000-test-session".into()),
        test: true,
        alerts,
        attention: Some(Attention {
            kind: kind.as_str().into(),
            cause: cause.into(),
            session_name: Some("fix-login-test".into()),
            branch: Some("main".into()),
            message: Some(message.into()),
            turn_ms: (kind == Kind::Done).then_some(754_000),
            tool_calls: (kind == Kind::Done).then_some(14),
            files_written: (kind == Kind::Done).then_some(3),
            failures: (kind == Kind::Done).then_some(1),
            priority,
            sound: None,
        }),
        ..Notification::default()
    }
}

/// Send a sample of each kind (or `kind`) to its targets (or `target`).
pub fn test(kind: Option<&str>, target: Option<&str>, json_out: bool) -> Result<()> {
    let paths = Paths::resolve();
    let cfg = load_config(&paths)?;
    let kinds: Vec<Kind> = match kind {
        Some(k) => vec![Kind::parse(k)
            .ok_or_else(|| anyhow!("unknown kind {k:?}: use done, needs_you, idle or failed"))?],
        None => Kind::ALL.to_vec(),
    };
    let mut failed = 0;
    let mut sent = 0;
    for k in kinds {
        let targets: Vec<String> = match target {
            Some(t) => vec![t.to_string()],
            None => cfg.notify.targets_of(k).to_vec(),
        };
        if targets.is_empty() && !json_out {
            println!("{k}: no target ([notify.{k}] is off or names none)");
        }
        for t in targets {
            let Some(tc) = cfg.alerts.targets.get(&t) else {
                bail!(
                    "no target named {t:?} in [alerts.targets] of {}",
                    paths.config_file.display()
                );
            };
            if !hookwatch_sink::accepts_attention(tc.kind(), k.as_str()) {
                if !json_out {
                    println!(
                        "{k} → {t}: skipped ({} targets take only \"failed\")",
                        tc.kind()
                    );
                }
                continue;
            }
            let limits = cfg.alerts.limits(&t).map_err(|e| anyhow!(e))?;
            let resolved = hookwatch_sink::resolve(&t, tc).map_err(|e| anyhow!(e))?;
            let now = crate::timefmt::now_us();
            let d = hookwatch_sink::send(
                &resolved,
                &sample(k, &t, now),
                &SendOptions {
                    timeout: std::time::Duration::from_micros(limits.timeout_us as u64),
                    attempt: 1,
                    now_unix_s: now / 1_000_000,
                },
            );
            sent += 1;
            let (result, status, text) = match &d {
                Delivery::Delivered { status, answer } => ("delivered", *status, answer.clone()),
                Delivery::Retry { status, error, .. } => {
                    ("retryable failure", *status, error.clone())
                }
                Delivery::Permanent { status, error } => {
                    ("permanent failure", *status, error.clone())
                }
            };
            if !matches!(d, Delivery::Delivered { .. }) {
                failed += 1;
            }
            if json_out {
                println!(
                    "{}",
                    json!({"kind": k.as_str(), "target": t, "result": result, "status": status, "answer": safe(&text)})
                );
            } else {
                println!("{k} → {t}: {result}; the target answered {}", safe(&text));
            }
        }
    }
    if sent == 0 {
        bail!(
            "no notification target: add one with `hookwatch notify setup desktop` (or ntfy, slack, telegram …)"
        );
    }
    if failed > 0 {
        bail!("{failed} of {sent} sample notification(s) were not delivered");
    }
    Ok(())
}

/// What was decided for each event that deserved attention, and why.
pub fn log(limit: usize, json_out: bool) -> Result<()> {
    let paths = Paths::resolve();
    let store = open_fresh(&paths)?;
    let rows = store.attention_log(limit)?;
    if json_out {
        for r in rows.iter().rev() {
            println!("{}", serde_json::to_string(r)?);
        }
        return Ok(());
    }
    if rows.is_empty() {
        println!("no attention notifications decided yet (`hookwatch notify test` sends samples)");
    }
    for r in rows.iter().rev() {
        let session: String = r
            .session
            .as_deref()
            .map(|s| s.chars().take(8).collect())
            .unwrap_or_else(|| "-".into());
        println!(
            "{}  {:<9} {:<10} {:<18} event {:<6} session {session}{}",
            crate::timefmt::rfc3339(r.time_us),
            r.kind,
            r.state,
            r.cause,
            r.event_id,
            r.reason
                .as_deref()
                .map(|why| format!(": {}", safe(why)))
                .unwrap_or_default()
        );
    }
    Ok(())
}

/// Claude Code 2.1.330's Notification types and what each becomes.
pub fn types(json_out: bool) -> Result<()> {
    for (t, kind, why) in NOTIFICATION_TYPES {
        let k = kind.map(|k| k.as_str()).unwrap_or("ignored");
        if json_out {
            println!("{}", json!({"notification_type": t, "kind": k, "why": why}));
        } else {
            println!("{t:<28} {k:<10} {why}");
        }
    }
    if !json_out {
        println!(
            "{:<28} {:<10} kept and sent as needs_you; add it to [notify] ignore_types to drop it",
            "(any other type)", "needs_you"
        );
    }
    Ok(())
}

/// `install --notify TYPE[=ARG]`: the setup, then a sample of each kind
/// (a failed sample is reported, not an install failure).
pub fn install(spec: &str, dry_run: bool) -> Result<()> {
    let (kind, arg) = match spec.split_once('=') {
        Some((k, a)) => (k.to_string(), Some(a.to_string())),
        None => (spec.to_string(), None),
    };
    let s = Setup {
        kind,
        arg,
        name: None,
        server: None,
        secret_env: None,
        secret_file: None,
        dry_run,
    };
    setup(&s)?;
    if dry_run {
        return Ok(());
    }
    if let Err(e) = test(None, Some(&s.kind), false) {
        eprintln!("hookwatch: {e:#} (fix the target, then `hookwatch notify test`)");
    }
    Ok(())
}
