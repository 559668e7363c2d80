//! `[alerts.targets.NAME]` tables. Secrets are never values here, only the
//! env var or file that holds them: config files get pasted into issues.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// One alert target, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum TargetConfig {
    Webhook(WebhookConfig),
    Slack(SlackConfig),
    Discord(DiscordConfig),
    Pagerduty(PagerDutyConfig),
    Sentry(SentryConfig),
    Ntfy(NtfyConfig),
    Telegram(TelegramConfig),
    Desktop(DesktopConfig),
    Command(CommandConfig),
}

impl TargetConfig {
    pub fn common(&self) -> &TargetCommon {
        match self {
            TargetConfig::Webhook(c) => &c.common,
            TargetConfig::Slack(c) => &c.common,
            TargetConfig::Discord(c) => &c.common,
            TargetConfig::Pagerduty(c) => &c.common,
            TargetConfig::Sentry(c) => &c.common,
            TargetConfig::Ntfy(c) => &c.common,
            TargetConfig::Telegram(c) => &c.common,
            TargetConfig::Desktop(c) => &c.common,
            TargetConfig::Command(c) => &c.common,
        }
    }

    /// The `type` value.
    pub fn kind(&self) -> &'static str {
        match self {
            TargetConfig::Webhook(_) => "webhook",
            TargetConfig::Slack(_) => "slack",
            TargetConfig::Discord(_) => "discord",
            TargetConfig::Pagerduty(_) => "pagerduty",
            TargetConfig::Sentry(_) => "sentry",
            TargetConfig::Ntfy(_) => "ntfy",
            TargetConfig::Telegram(_) => "telegram",
            TargetConfig::Desktop(_) => "desktop",
            TargetConfig::Command(_) => "command",
        }
    }
}

/// Fields every target has. Stored as written: the outbox worker parses
/// and applies them (durations like "10s", rates like "20/1h").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetCommon {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_resolved: Option<bool>,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// False: only attention notifications (`[notify]`) go here; routes
    /// that send to "every target" leave it out. A route may still name it.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub alerts: bool,
}

fn is_true(b: &bool) -> bool {
    *b
}

impl Default for TargetCommon {
    fn default() -> Self {
        TargetCommon {
            timeout: None,
            rate_limit: None,
            max_attempts: None,
            max_age: None,
            send_resolved: None,
            enabled: true,
            alerts: true,
        }
    }
}

fn yes() -> bool {
    true
}

/// A value that may carry a credential (a URL with a token in it, an ntfy
/// topic): Debug shows at most scheme and host.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sensitive(pub String);

impl fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::text::redact_url(&self.0))
    }
}

/// Standard Webhooks endpoint, signed when a secret is configured.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<Sensitive>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_env: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_file: Option<String>,
    /// `whsec_<base64>`; absent: requests go out unsigned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_env: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_file: Option<String>,
    /// Extra, non-secret headers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    #[serde(flatten)]
    pub common: TargetCommon,
}

/// Slack incoming webhook: the URL is the credential.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackConfig {
    /// Accepted only so that `resolve` can say what to write instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<Sensitive>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_env: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_file: Option<String>,
    #[serde(flatten)]
    pub common: TargetCommon,
}

/// Discord webhook: the URL is the credential.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiscordConfig {
    /// Accepted only so that `resolve` can say what to write instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<Sensitive>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_env: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_file: Option<String>,
    #[serde(flatten)]
    pub common: TargetCommon,
}

/// PagerDuty Events API v2.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PagerDutyConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing_key_env: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing_key_file: Option<String>,
    /// Default `https://events.pagerduty.com/v2/enqueue`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(flatten)]
    pub common: TargetCommon,
}

/// Sentry, through the envelope endpoint of the DSN's project.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SentryConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dsn_env: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dsn_file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    #[serde(flatten)]
    pub common: TargetCommon,
}

/// ntfy topic; on a public server the topic name is the password.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NtfyConfig {
    /// Default `https://ntfy.sh`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<Sensitive>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic_env: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic_file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_env: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_file: Option<String>,
    /// 1–5 or min|low|default|high|max|urgent; default from the severity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<NtfyPriority>,
    #[serde(flatten)]
    pub common: TargetCommon,
}

/// ntfy accepts both spellings, so the config does too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum NtfyPriority {
    Number(i64),
    Name(String),
}

/// Telegram bot (Bot API `sendMessage`). The bot token is the credential
/// (it is part of the request path); the chat id is not secret.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelegramConfig {
    /// Accepted only so that `resolve` can say what to write instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot_token: Option<Sensitive>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot_token_env: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot_token_file: Option<String>,
    /// The chat's id (`-1001234567890`, a number or a string) or a public
    /// channel's `@username`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat_id: Option<TelegramChatId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat_id_env: Option<String>,
    /// Default `https://api.telegram.org`; a local Bot API server otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_url: Option<String>,
    /// A topic of a forum supergroup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_thread_id: Option<i64>,
    #[serde(flatten)]
    pub common: TargetCommon,
}

/// TOML users write chat ids both ways (`-100123` and `"-100123"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TelegramChatId {
    Number(i64),
    Name(String),
}

/// Desktop notification through `notify-send` (Linux) or `osascript`
/// (macOS).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DesktopConfig {
    /// Default "hookwatch".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_name: Option<String>,
    #[serde(flatten)]
    pub common: TargetCommon,
}

/// A program run directly (no shell) with the notification JSON on stdin.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandConfig {
    pub argv: Vec<String>,
    #[serde(flatten)]
    pub common: TargetCommon,
}
