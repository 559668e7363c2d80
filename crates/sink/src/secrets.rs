//! From config to a target ready to send: secrets read from the env vars
//! and files the config names. Error messages say where a secret should be
//! and what to do, never what it is.

use crate::config::{NtfyPriority, TargetConfig, TelegramChatId};
use crate::text::redact_url;
use base64::Engine as _;
use std::ffi::OsStr;
use std::fmt;
use std::path::{Path, PathBuf};

/// A target with its secrets loaded. Debug is written by hand so that a
/// `{:?}` in a log line cannot print a credential.
pub struct Resolved {
    pub name: String,
    pub config: TargetConfig,
    /// Loose permissions on secret files ("chmod 600 <file>").
    pub warnings: Vec<String>,
    /// PagerDuty `source`, Sentry `server_name`.
    pub hostname: String,
    /// `notify-send` (or `osascript` on macOS) as found on PATH by
    /// [`resolve`]; `None` when it is not installed. Public so that tests
    /// can point it at a fake found with [`find_on_path`].
    pub desktop_program: Option<PathBuf>,
    pub(crate) target: Target,
}

pub(crate) enum Target {
    Webhook {
        url: String,
        /// Decoded `whsec_` secret; `None`: unsigned.
        key: Option<Vec<u8>>,
        headers: Vec<(String, String)>,
    },
    Slack {
        url: String,
    },
    Discord {
        url: String,
    },
    PagerDuty {
        url: String,
        routing_key: String,
    },
    Sentry(Dsn),
    Ntfy {
        url: String,
        token: Option<String>,
        priority: Option<String>,
    },
    Telegram {
        /// `{api_url}/bot{token}/sendMessage`: the token is in the path.
        url: String,
        /// A number, or a public channel's "@username".
        chat_id: serde_json::Value,
        message_thread_id: Option<i64>,
    },
    Desktop {
        app_name: String,
    },
    Command {
        argv: Vec<String>,
    },
}

pub(crate) struct Dsn {
    pub endpoint: String,
    pub public_key: String,
    /// The DSN without its (deprecated) secret part, for the envelope header.
    pub public_dsn: String,
    pub environment: Option<String>,
}

impl Resolved {
    /// Where requests go, with credentials cut off: fit for messages.
    pub fn endpoint_redacted(&self) -> String {
        match &self.target {
            Target::Webhook { url, .. }
            | Target::Slack { url }
            | Target::Discord { url }
            | Target::PagerDuty { url, .. }
            | Target::Ntfy { url, .. }
            | Target::Telegram { url, .. } => redact_url(url),
            Target::Sentry(d) => redact_url(&d.endpoint),
            Target::Desktop { .. } => match &self.desktop_program {
                Some(p) => p.display().to_string(),
                None => "(no notifier found)".to_string(),
            },
            Target::Command { argv } => argv[0].clone(),
        }
    }
}

impl fmt::Debug for Resolved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Resolved");
        d.field("name", &self.name)
            .field("kind", &self.config.kind())
            .field("endpoint", &self.endpoint_redacted());
        if let Target::Webhook { key, headers, .. } = &self.target {
            d.field("signed", &key.is_some());
            d.field(
                "headers",
                &headers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            );
        }
        d.field("warnings", &self.warnings)
            .field("hostname", &self.hostname)
            .field("desktop_program", &self.desktop_program)
            .finish_non_exhaustive()
    }
}

/// Does a URL written in the config text carry a secret: userinfo, or a
/// query parameter whose name says token/key/secret/signature/password?
fn url_holds_credentials(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return true;
    }
    let Some((_, query)) = rest.split_once('?') else {
        return false;
    };
    query.split('&').any(|pair| {
        let k = pair.split('=').next().unwrap_or("").to_ascii_lowercase();
        [
            "token",
            "key",
            "secret",
            "sig",
            "signature",
            "password",
            "auth",
            "code",
        ]
        .iter()
        .any(|w| k.contains(w))
    })
}

fn credential_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "authorization"
        || n == "proxy-authorization"
        || n == "cookie"
        || ["token", "secret", "api-key", "apikey", "password", "auth"]
            .iter()
            .any(|w| n.contains(w))
}

/// Loads the secrets `cfg` points at and checks what can be checked without
/// sending anything.
pub fn resolve(name: &str, cfg: &TargetConfig) -> Result<Resolved, String> {
    let mut warnings = Vec::new();
    let mut ctx = Ctx {
        name,
        warnings: &mut warnings,
    };
    let target = match cfg {
        TargetConfig::Webhook(c) => {
            let url = ctx
                .load(
                    "url",
                    "the webhook URL",
                    c.url.as_ref().map(|s| s.0.as_str()),
                    c.url_env.as_deref(),
                    c.url_file.as_deref(),
                )?
                .ok_or_else(|| ctx.missing("url", "the webhook URL", true))?;
            ctx.check_url(&url, "url")?;
            if c.url.is_some() && url_holds_credentials(&url) {
                return Err(format!(
                    "alert target \"{name}\": the webhook url in the config text carries credentials \
                     (user:password@ or a token in the query): move it to url_env or url_file"
                ));
            }
            let key = ctx
                .load(
                    "secret",
                    "the signing secret (whsec_…)",
                    None,
                    c.secret_env.as_deref(),
                    c.secret_file.as_deref(),
                )?
                .map(|s| {
                    signing_key(&s).map_err(|e| {
                        format!(
                            "alert target \"{name}\": {e} (from {})",
                            source_name(c.secret_env.as_deref(), c.secret_file.as_deref())
                        )
                    })
                })
                .transpose()?;
            let mut headers = Vec::new();
            for (k, v) in &c.headers {
                // Credentials come from the environment or a file
                // ("env:NAME", "file:PATH"), never from the config text.
                let value = if let Some(var) = v.strip_prefix("env:") {
                    std::env::var(var).map_err(|_| {
                        format!("alert target \"{name}\": header {k} names the environment variable {var}, which is not set")
                    })?
                } else if let Some(path) = v.strip_prefix("file:") {
                    let path = match expand_home(path) {
                        Some(Some(p)) => p,
                        Some(None) => PathBuf::from(path),
                        None => {
                            return Err(format!(
                                "alert target \"{name}\": header {k}: {path} starts with ~/ but HOME is not set"
                            ))
                        }
                    };
                    if let Some(w) = permission_warning(&path) {
                        ctx.warnings.push(w);
                    }
                    std::fs::read_to_string(&path)
                        .map_err(|e| {
                            format!(
                                "alert target \"{name}\": header {k}: cannot read {}: {e}",
                                path.display()
                            )
                        })?
                        .trim_end_matches(['\n', '\r'])
                        .to_string()
                } else {
                    if credential_header(k) {
                        return Err(format!(
                            "alert target \"{name}\": header {k} holds a credential: write \"env:VAR\" or \"file:PATH\" as its value instead of the secret"
                        ));
                    }
                    v.clone()
                };
                ctx.check_header(k, &value)?;
                headers.push((k.clone(), value));
            }
            Target::Webhook { url, key, headers }
        }
        TargetConfig::Slack(c) => {
            ctx.no_literal_url(c.url.is_some(), "Slack incoming webhook URL")?;
            let url = ctx
                .load(
                    "url",
                    "the Slack incoming webhook URL",
                    None,
                    c.url_env.as_deref(),
                    c.url_file.as_deref(),
                )?
                .ok_or_else(|| ctx.missing("url", "the Slack incoming webhook URL", false))?;
            ctx.check_url(&url, "url")?;
            Target::Slack { url }
        }
        TargetConfig::Discord(c) => {
            ctx.no_literal_url(c.url.is_some(), "Discord webhook URL")?;
            let url = ctx
                .load(
                    "url",
                    "the Discord webhook URL",
                    None,
                    c.url_env.as_deref(),
                    c.url_file.as_deref(),
                )?
                .ok_or_else(|| ctx.missing("url", "the Discord webhook URL", false))?;
            ctx.check_url(&url, "url")?;
            Target::Discord { url }
        }
        TargetConfig::Pagerduty(c) => {
            let what = "the PagerDuty integration key (routing key)";
            let routing_key = ctx
                .load(
                    "routing_key",
                    what,
                    None,
                    c.routing_key_env.as_deref(),
                    c.routing_key_file.as_deref(),
                )?
                .ok_or_else(|| ctx.missing("routing_key", what, false))?;
            let url = c
                .url
                .clone()
                .unwrap_or_else(|| "https://events.pagerduty.com/v2/enqueue".to_string());
            ctx.check_url(&url, "url")?;
            Target::PagerDuty { url, routing_key }
        }
        TargetConfig::Sentry(c) => {
            let dsn = ctx
                .load(
                    "dsn",
                    "the Sentry DSN",
                    None,
                    c.dsn_env.as_deref(),
                    c.dsn_file.as_deref(),
                )?
                .ok_or_else(|| ctx.missing("dsn", "the Sentry DSN", false))?;
            let mut dsn = parse_dsn(&dsn).ok_or_else(|| {
                format!(
                    "alert target \"{name}\": the Sentry DSN ({}) is not a DSN: expected \
                     https://PUBLIC_KEY@HOST/PROJECT_ID as shown in Sentry under Project \
                     Settings > Client Keys",
                    source_name(c.dsn_env.as_deref(), c.dsn_file.as_deref())
                )
            })?;
            dsn.environment = c.environment.clone();
            Target::Sentry(dsn)
        }
        TargetConfig::Ntfy(c) => {
            let server = c.server.as_deref().unwrap_or("https://ntfy.sh");
            let server = server.trim_end_matches('/').to_string();
            ctx.check_url(&server, "server")?;
            let topic = ctx
                .load(
                    "topic",
                    "the ntfy topic",
                    c.topic.as_ref().map(|s| s.0.as_str()),
                    c.topic_env.as_deref(),
                    c.topic_file.as_deref(),
                )?
                .ok_or_else(|| ctx.missing("topic", "the ntfy topic", true))?;
            if topic.is_empty()
                || topic.len() > 64
                || !topic
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                return Err(format!(
                    "alert target \"{name}\": the ntfy topic may only hold letters, digits, \
                     '-' and '_' (1 to 64 characters): choose a topic like that"
                ));
            }
            let token = ctx.load(
                "token",
                "the ntfy access token",
                None,
                c.token_env.as_deref(),
                c.token_file.as_deref(),
            )?;
            if token.as_deref().is_some_and(|t| !header_safe(t)) {
                return Err(format!(
                    "alert target \"{name}\": the ntfy token ({}) holds spaces or control \
                     characters: copy it again from ntfy's Account page",
                    source_name(c.token_env.as_deref(), c.token_file.as_deref())
                ));
            }
            let priority = c
                .priority
                .as_ref()
                .map(|p| ntfy_priority(name, p))
                .transpose()?;
            Target::Ntfy {
                url: format!("{server}/{topic}"),
                token,
                priority,
            }
        }
        TargetConfig::Telegram(c) => {
            if c.bot_token.is_some() {
                return Err(format!(
                    "alert target \"{name}\": the Telegram bot token is a credential and cannot \
                     be written in the config: remove `bot_token` and use bot_token_env = \
                     \"SOME_VAR\" (an environment variable holding it) or bot_token_file = \
                     \"PATH\" (a file holding it, chmod 600)"
                ));
            }
            let what = "the Telegram bot token (from @BotFather)";
            let token = ctx
                .load(
                    "bot_token",
                    what,
                    None,
                    c.bot_token_env.as_deref(),
                    c.bot_token_file.as_deref(),
                )?
                .ok_or_else(|| ctx.missing("bot_token", what, false))?;
            if !telegram_token_ok(&token) {
                return Err(format!(
                    "alert target \"{name}\": the Telegram bot token ({}) is not one: it looks \
                     like 123456789:AAH… (the bot's id, a colon, the secret), as @BotFather \
                     shows it",
                    source_name(c.bot_token_env.as_deref(), c.bot_token_file.as_deref())
                ));
            }
            let chat_id = telegram_chat_id(name, c.chat_id.as_ref(), c.chat_id_env.as_deref())?;
            let api = c
                .api_url
                .as_deref()
                .unwrap_or("https://api.telegram.org")
                .trim_end_matches('/');
            ctx.check_url(api, "api_url")?;
            if url_holds_credentials(api) || api.contains("/bot") {
                return Err(format!(
                    "alert target \"{name}\": api_url is the Bot API server alone (e.g. \
                     https://api.telegram.org), without the token: put the token in \
                     bot_token_env or bot_token_file"
                ));
            }
            Target::Telegram {
                url: format!("{api}/bot{token}/sendMessage"),
                chat_id,
                message_thread_id: c.message_thread_id,
            }
        }
        TargetConfig::Desktop(c) => Target::Desktop {
            app_name: c
                .app_name
                .clone()
                .unwrap_or_else(|| "hookwatch".to_string()),
        },
        TargetConfig::Command(c) => {
            let mut argv = c.argv.clone();
            match argv.first_mut() {
                Some(prog) if !prog.is_empty() => {
                    if let Some(Some(p)) = expand_home(prog) {
                        *prog = p.to_string_lossy().into_owned();
                    }
                }
                _ => {
                    return Err(format!(
                        "alert target \"{name}\": argv must name a program, e.g. \
                         argv = [\"/usr/local/bin/page-me\", \"--quiet\"] (it runs without a shell)"
                    ))
                }
            }
            Target::Command { argv }
        }
    };
    let desktop_program = match target {
        Target::Desktop { .. } => {
            std::env::var_os("PATH").and_then(|p| find_on_path(desktop_program_name(), &p))
        }
        _ => None,
    };
    Ok(Resolved {
        name: name.to_string(),
        config: cfg.clone(),
        warnings,
        hostname: hostname(),
        desktop_program,
        target,
    })
}

/// The notifier this platform's desktop target runs.
pub fn desktop_program_name() -> &'static str {
    if cfg!(target_os = "macos") {
        "osascript"
    } else {
        "notify-send"
    }
}

/// First executable file called `program` in the directories of `path`
/// (a PATH value). Empty entries (the current directory) are skipped: a
/// notifier should not come from wherever the worker happens to run.
pub fn find_on_path(program: &str, path: &OsStr) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    std::env::split_paths(path)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(program))
        .find(|p| {
            std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// A warning when a file holding secrets can be read by group or others.
pub fn permission_warning(path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then(|| {
        format!(
            "{} is readable by group or others (mode {mode:o}): chmod 600 {}",
            path.display(),
            path.display()
        )
    })
}

struct Ctx<'a> {
    name: &'a str,
    warnings: &'a mut Vec<String>,
}

impl Ctx<'_> {
    /// One of literal / `<field>_env` / `<field>_file`; `None` when none is set.
    fn load(
        &mut self,
        field: &str,
        what: &str,
        literal: Option<&str>,
        env: Option<&str>,
        file: Option<&str>,
    ) -> Result<Option<String>, String> {
        let name = self.name;
        let set = [literal.is_some(), env.is_some(), file.is_some()];
        if set.iter().filter(|s| **s).count() > 1 {
            return Err(format!(
                "alert target \"{name}\": set only one of {}{field}_env, {field}_file",
                if literal.is_some() {
                    format!("{field}, ")
                } else {
                    String::new()
                }
            ));
        }
        if let Some(v) = literal {
            return Ok(Some(v.trim().to_string()));
        }
        if let Some(var) = env {
            let value = match std::env::var(var) {
                Ok(v) => v,
                Err(std::env::VarError::NotPresent) => {
                    return Err(format!(
                        "alert target \"{name}\": environment variable {var} ({field}_env) is not \
                         set: export {var} with {what} in the environment the hooks run in, or \
                         use {field}_file"
                    ))
                }
                Err(std::env::VarError::NotUnicode(_)) => {
                    return Err(format!(
                        "alert target \"{name}\": environment variable {var} ({field}_env) is not \
                         valid UTF-8: set it to {what}"
                    ))
                }
            };
            let value = trim_secret(&value);
            if value.is_empty() {
                return Err(format!(
                    "alert target \"{name}\": environment variable {var} ({field}_env) is empty: \
                     set it to {what}"
                ));
            }
            return Ok(Some(value.to_string()));
        }
        if let Some(file) = file {
            let path = expand_home(file).ok_or_else(|| {
                format!(
                    "alert target \"{name}\": {field}_file {file} starts with ~/ but HOME is not \
                     set: give an absolute path"
                )
            })?;
            let path = path.unwrap_or_else(|| PathBuf::from(file));
            let bytes = std::fs::read(&path).map_err(|e| {
                format!(
                    "alert target \"{name}\": cannot read {field}_file {}: {e}: write {what} \
                     into it (and chmod 600 it), or use {field}_env",
                    path.display()
                )
            })?;
            let text = String::from_utf8(bytes).map_err(|_| {
                format!(
                    "alert target \"{name}\": {field}_file {} is not UTF-8 text: it should hold \
                     {what} alone",
                    path.display()
                )
            })?;
            let value = trim_secret(&text);
            if value.is_empty() {
                return Err(format!(
                    "alert target \"{name}\": {field}_file {} is empty: write {what} into it",
                    path.display()
                ));
            }
            if let Some(w) = permission_warning(&path) {
                self.warnings.push(format!("alert target \"{name}\": {w}"));
            }
            return Ok(Some(value.to_string()));
        }
        Ok(None)
    }

    fn missing(&self, field: &str, what: &str, literal_ok: bool) -> String {
        format!(
            "alert target \"{}\": no {what}: set {}{field}_env = \"SOME_VAR\" (an environment \
             variable holding it) or {field}_file = \"~/.config/hookwatch/{}-{field}\" (a file \
             holding it, chmod 600)",
            self.name,
            if literal_ok {
                format!("{field} = \"…\", ")
            } else {
                String::new()
            },
            self.name
        )
    }

    fn no_literal_url(&self, literal: bool, what: &str) -> Result<(), String> {
        if literal {
            return Err(format!(
                "alert target \"{}\": the {what} is a credential and cannot be written in the \
                 config: remove `url` and use url_env = \"SOME_VAR\" (an environment variable \
                 holding the URL) or url_file = \"PATH\" (a file holding it, chmod 600)",
                self.name
            ));
        }
        Ok(())
    }

    fn check_url(&self, url: &str, field: &str) -> Result<(), String> {
        let ok = (url.starts_with("https://") || url.starts_with("http://"))
            && url.split_once("://").is_some_and(|(_, rest)| {
                !rest.is_empty() && !rest.starts_with('/') && !rest.starts_with('?')
            })
            && url.bytes().all(|b| b.is_ascii_graphic());
        if ok {
            Ok(())
        } else {
            Err(format!(
                "alert target \"{}\": the {field} ({}) is not an http:// or https:// URL \
                 (or it holds spaces or non-ASCII characters): check its value",
                self.name,
                redact_url(url)
            ))
        }
    }

    fn check_header(&self, k: &str, v: &str) -> Result<(), String> {
        const OURS: [&str; 9] = [
            "content-type",
            "content-length",
            "host",
            "transfer-encoding",
            "webhook-id",
            "webhook-timestamp",
            "webhook-signature",
            "idempotency-key",
            "connection",
        ];
        let token = !k.is_empty()
            && k.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        if !token {
            return Err(format!(
                "alert target \"{}\": header name {k:?} is not a valid HTTP header name",
                self.name
            ));
        }
        if OURS.contains(&k.to_ascii_lowercase().as_str()) {
            return Err(format!(
                "alert target \"{}\": header {k} is set by hookwatch itself: remove it from \
                 headers",
                self.name
            ));
        }
        if !v.bytes().all(|b| b == b'\t' || (0x20..0x7f).contains(&b)) {
            return Err(format!(
                "alert target \"{}\": the value of header {k} must be printable ASCII on one line",
                self.name
            ));
        }
        Ok(())
    }
}

/// Secrets come from files written by editors and `echo`: a trailing
/// newline is never part of them.
fn trim_secret(s: &str) -> &str {
    s.trim_end_matches(['\n', '\r']).trim()
}

fn source_name(env: Option<&str>, file: Option<&str>) -> String {
    match (env, file) {
        (Some(v), _) => format!("environment variable {v}"),
        (None, Some(f)) => format!("file {f}"),
        (None, None) => "config".to_string(),
    }
}

/// `Ok(None)`: not a `~/` path. `Err`: a `~/` path and no HOME.
fn expand_home(p: &str) -> Option<Option<PathBuf>> {
    expand_home_in(p, std::env::var_os("HOME").as_deref())
}

fn expand_home_in(p: &str, home: Option<&OsStr>) -> Option<Option<PathBuf>> {
    match p.strip_prefix("~/") {
        None => Some(None),
        Some(rest) => {
            let home = home.filter(|h| !h.is_empty())?;
            Some(Some(Path::new(home).join(rest)))
        }
    }
}

/// The HMAC key of a Standard Webhooks secret: base64 after `whsec_`, or
/// the raw bytes of a secret without the prefix (some senders use those).
pub(crate) fn signing_key(secret: &str) -> Result<Vec<u8>, String> {
    let Some(b64) = secret.strip_prefix("whsec_") else {
        return Ok(secret.as_bytes().to_vec());
    };
    let key = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|_| {
            "the webhook secret is not valid: after \"whsec_\" must come base64 (as Standard \
             Webhooks secrets are shown); generate one with: echo \"whsec_$(head -c 32 \
             /dev/urandom | base64)\""
                .to_string()
        })?;
    if key.is_empty() {
        return Err("the webhook secret is empty after \"whsec_\"".to_string());
    }
    Ok(key)
}

fn ntfy_priority(name: &str, p: &NtfyPriority) -> Result<String, String> {
    const NAMES: [&str; 6] = ["min", "low", "default", "high", "max", "urgent"];
    match p {
        NtfyPriority::Number(n @ 1..=5) => Ok(n.to_string()),
        NtfyPriority::Name(s) if NAMES.contains(&s.to_ascii_lowercase().as_str()) => {
            Ok(s.to_ascii_lowercase())
        }
        _ => Err(format!(
            "alert target \"{name}\": priority must be 1 to 5 or one of min, low, default, \
             high, max, urgent"
        )),
    }
}

/// `<bot id>:<secret>` as @BotFather gives it. Checked because it goes
/// into the URL path: nothing but these characters may.
fn telegram_token_ok(t: &str) -> bool {
    let Some((id, secret)) = t.split_once(':') else {
        return false;
    };
    (1..=20).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_digit())
        && (20..=100).contains(&secret.len())
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A chat id as the Bot API takes it: an integer (groups and channels are
/// negative), or "@username" for a public channel.
fn telegram_chat_id(
    name: &str,
    literal: Option<&TelegramChatId>,
    env: Option<&str>,
) -> Result<serde_json::Value, String> {
    let text = match (literal, env) {
        (Some(_), Some(_)) => {
            return Err(format!(
                "alert target \"{name}\": set only one of chat_id, chat_id_env"
            ))
        }
        (Some(TelegramChatId::Number(n)), None) => n.to_string(),
        (Some(TelegramChatId::Name(s)), None) => s.trim().to_string(),
        (None, Some(var)) => std::env::var(var)
            .map(|v| v.trim().to_string())
            .map_err(|_| {
                format!(
                    "alert target \"{name}\": environment variable {var} (chat_id_env) is not \
                     set: export {var} with the chat id, or write chat_id in the config"
                )
            })?,
        (None, None) => {
            return Err(format!(
                "alert target \"{name}\": no chat: set chat_id = -1001234567890 (the chat's id: \
                 send the bot a message, then look for \"chat\":{{\"id\": in the answer of the \
                 Bot API's getUpdates) or chat_id = \"@channelname\" for a public channel"
            ))
        }
    };
    if let Ok(n) = text.parse::<i64>() {
        if n != 0 {
            return Ok(n.into());
        }
    }
    let channel = text.strip_prefix('@').is_some_and(|u| {
        (4..=32).contains(&u.len()) && u.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    });
    if channel {
        return Ok(text.into());
    }
    Err(format!(
        "alert target \"{name}\": chat_id must be the chat's number (e.g. -1001234567890) or \
         \"@channelname\""
    ))
}

/// `{scheme}://{public}[:{secret}]@{host[:port]}{path}/{project_id}`.
fn parse_dsn(dsn: &str) -> Option<Dsn> {
    let (scheme, rest) = dsn.split_once("://")?;
    if scheme != "https" && scheme != "http" {
        return None;
    }
    let (userinfo, rest) = rest.split_once('@')?;
    let public_key = userinfo.split(':').next()?;
    let rest = rest.split(['?', '#']).next()?;
    let (host, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => return None,
    };
    let path = path.trim_end_matches('/');
    let (prefix, project) = path.rsplit_once('/')?;
    let valid = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic());
    if !valid(public_key) || !valid(host) || !valid(project) || host.contains('@') {
        return None;
    }
    Some(Dsn {
        endpoint: format!("{scheme}://{host}{prefix}/api/{project}/envelope/"),
        public_key: public_key.to_string(),
        public_dsn: format!("{scheme}://{public_key}@{host}{prefix}/{project}"),
        environment: None,
    })
}

fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname writes at
    // most that many bytes.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    let len = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    match std::str::from_utf8(&buf[..len]) {
        Ok(h) if rc == 0 && !h.is_empty() => h.to_string(),
        _ => "hookwatch".to_string(),
    }
}

fn header_safe(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dsn_to_endpoint() {
        let d = parse_dsn("https://abc123@o42.ingest.us.sentry.io/4506").unwrap();
        assert_eq!(
            d.endpoint,
            "https://o42.ingest.us.sentry.io/api/4506/envelope/"
        );
        assert_eq!(d.public_key, "abc123");
        assert_eq!(d.public_dsn, "https://abc123@o42.ingest.us.sentry.io/4506");
        let d = parse_dsn("http://pub:sec@127.0.0.1:9000/prefix/sub/7").unwrap();
        assert_eq!(
            d.endpoint,
            "http://127.0.0.1:9000/prefix/sub/api/7/envelope/"
        );
        assert_eq!(d.public_dsn, "http://pub@127.0.0.1:9000/prefix/sub/7");
        assert!(parse_dsn("https://o42.ingest.sentry.io/4506").is_none());
        assert!(parse_dsn("https://k@host").is_none());
        assert!(parse_dsn("ftp://k@host/1").is_none());
    }

    #[test]
    fn tilde_expands_to_home() {
        let home = Some(OsStr::new("/home/dev"));
        assert_eq!(
            expand_home_in("~/.config/hw/url", home),
            Some(Some(PathBuf::from("/home/dev/.config/hw/url")))
        );
        assert_eq!(expand_home_in("/etc/hw/url", home), Some(None));
        assert_eq!(expand_home_in("~user/x", home), Some(None));
        assert_eq!(expand_home_in("~/x", None), None);
        assert_eq!(expand_home_in("~/x", Some(OsStr::new(""))), None);
    }

    #[test]
    fn whsec_and_raw_secrets() {
        assert_eq!(signing_key("whsec_AAEC").unwrap(), vec![0, 1, 2]);
        assert_eq!(signing_key("plain").unwrap(), b"plain".to_vec());
        let e = signing_key("whsec_!!notbase64SECRETVALUE").unwrap_err();
        assert!(!e.contains("SECRETVALUE"));
    }
}
