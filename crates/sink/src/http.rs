//! One HTTP attempt and what it means for the outbox: delivered, retry
//! (and when), or permanent. Non-2xx answers are results, not Rust errors.

use crate::retry::{discord_retry_after, retry_after, sentry_rate_limits, telegram_retry_after};
use crate::text::{one_line, redact_url, scrub, user_agent};
use crate::{Delivery, SendOptions};
use std::io::Read;
use std::time::Duration;

/// Which target answered: each has its own way of saying "later".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    Generic,
    Slack,
    Discord,
    Sentry,
    Telegram,
}

/// Enough of an answer to explain it; the rest is drained unread.
const BODY_KEEP: u64 = 64 * 1024;
const EXCERPT: usize = 200;

pub(crate) fn send(
    flavor: Flavor,
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: &[u8],
    opts: &SendOptions,
) -> Delivery {
    let shown = redact_url(url);
    let mut config = ureq::Agent::config_builder();
    if is_loopback(url) {
        // A local receiver is never behind the user's HTTP(S)_PROXY.
        config = config.proxy(None);
    }
    let agent: ureq::Agent = config
        .timeout_global(Some(opts.timeout))
        // Standard Webhooks: a redirect is a failure, and following one
        // would resend a signed body (or a credential URL) somewhere else.
        .max_redirects(0)
        .http_status_as_error(false)
        .user_agent(user_agent())
        .build()
        .into();
    let mut req = match method {
        "POST" => agent.post(url),
        "PUT" => agent.put(url),
        other => {
            return Delivery::Permanent {
                status: None,
                error: format!("unsupported HTTP method {other}"),
            }
        }
    };
    for (k, v) in headers {
        req = req.header(k.as_str(), v.as_str());
    }
    match req.send(body) {
        Ok(mut resp) => {
            let status = resp.status().as_u16();
            let header = |name: &str| {
                resp.headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            let answer = Answer {
                status,
                retry_after: header("retry-after"),
                sentry_limits: header("x-sentry-rate-limits"),
                location: header("location"),
                body: Vec::new(),
            };
            let mut answer = answer;
            // A body that times out half-way still leaves the status to go by.
            let _ = resp
                .body_mut()
                .as_reader()
                .take(BODY_KEEP)
                .read_to_end(&mut answer.body);
            hide_url(classify(flavor, &answer, &shown, opts.now_unix_s), url)
        }
        Err(e) => hide_url(network_error(e, url, &shown, opts.timeout), url),
    }
}

/// The URL's path can be the credential (Slack, Discord, the Telegram bot
/// token): whatever an answer or an error quotes of it (the whole path, or
/// a long segment of it) is cut out of what the outbox stores and shows.
fn hide_url(d: Delivery, url: &str) -> Delivery {
    let Some(rest) = url.split_once("://").map(|(_, r)| r) else {
        return d;
    };
    let Some(at) = rest.find(['/', '?', '#']) else {
        return d;
    };
    let tail = &rest[at..];
    let mut parts: Vec<&str> = tail
        .split(['/', '?', '&', '#', '='])
        .filter(|p| p.len() >= 16)
        .collect();
    if tail.len() > 1 {
        parts.push(tail);
    }
    // Longest first: the whole path before the segments inside it.
    parts.sort_by_key(|p| std::cmp::Reverse(p.len()));
    let clean = |mut s: String| {
        for p in &parts {
            if s.contains(p) {
                s = s.replace(p, "…");
            }
        }
        s
    };
    match d {
        Delivery::Delivered { status, answer } => Delivery::Delivered {
            status,
            answer: clean(answer),
        },
        Delivery::Retry {
            status,
            error,
            after,
        } => Delivery::Retry {
            status,
            error: clean(error),
            after,
        },
        Delivery::Permanent { status, error } => Delivery::Permanent {
            status,
            error: clean(error),
        },
    }
}

pub fn is_loopback(url: &str) -> bool {
    let Some((_, rest)) = url.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.split(':').next().unwrap_or(""),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

pub(crate) struct Answer {
    pub status: u16,
    pub retry_after: Option<String>,
    pub sentry_limits: Option<String>,
    pub location: Option<String>,
    pub body: Vec<u8>,
}

/// First ~200 bytes of the answer, on one line and scrubbed: targets echo
/// payloads back, and a payload can hold what the scrubber must catch.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(EXCERPT * 2)]);
    crate::text::cut_bytes(&scrub(&one_line(&text)), EXCERPT)
}

pub(crate) fn classify(flavor: Flavor, a: &Answer, shown: &str, now_unix_s: i64) -> Delivery {
    if flavor == Flavor::Telegram && !(300..=399).contains(&a.status) {
        return telegram(a, shown, now_unix_s);
    }
    let status = a.status;
    let body = excerpt(&a.body);
    let said = if body.is_empty() {
        String::new()
    } else {
        format!(": {body}")
    };
    match status {
        200..=299 => Delivery::Delivered {
            status: Some(status),
            answer: format!("HTTP {status}{said}"),
        },
        408 | 429 | 500..=599 => {
            let from_header = a
                .retry_after
                .as_deref()
                .and_then(|v| retry_after(v, now_unix_s));
            let after = match (flavor, status) {
                (Flavor::Sentry, 429) => a
                    .sentry_limits
                    .as_deref()
                    .and_then(sentry_rate_limits)
                    .or(from_header)
                    // Sentry's transport spec: a bare 429 means one minute.
                    .or(Some(Duration::from_secs(60))),
                (Flavor::Discord, 429) => discord_retry_after(&a.body).or(from_header),
                (Flavor::Sentry, _) => a
                    .sentry_limits
                    .as_deref()
                    .and_then(sentry_rate_limits)
                    .or(from_header),
                _ => from_header,
            };
            Delivery::Retry {
                status: Some(status),
                error: format!("HTTP {status} from {shown}{said}"),
                after,
            }
        }
        300..=399 => {
            let to = a
                .location
                .as_deref()
                .map(|l| format!(" to {}", redact_url(l)))
                .unwrap_or_default();
            Delivery::Permanent {
                status: Some(status),
                error: format!(
                    "HTTP {status} from {shown}: redirect{to} not followed: configure the final URL"
                ),
            }
        }
        _ => Delivery::Permanent {
            status: Some(status),
            error: format!("HTTP {status} from {shown}{said}{}", advice(flavor, status)),
        },
    }
}

/// The Bot API answers every call with `{"ok": true, "result": …}` or
/// `{"ok": false, "error_code", "description", "parameters"?:
/// {"retry_after"?, "migrate_to_chat_id"?}}`; its `description` says what
/// went wrong better than the status does.
fn telegram(a: &Answer, shown: &str, now_unix_s: i64) -> Delivery {
    let status = a.status;
    let v: Option<serde_json::Value> = serde_json::from_slice(&a.body).ok();
    let field = |k: &str| v.as_ref().and_then(|v| v.get(k));
    let param = |k: &str| field("parameters").and_then(|p| p.get(k));
    let said = match field("description").and_then(|d| d.as_str()) {
        Some(d) => format!(": {}", excerpt(d.as_bytes())),
        None if a.body.is_empty() => String::new(),
        None => format!(": {}", excerpt(&a.body)),
    };
    let from_header = a
        .retry_after
        .as_deref()
        .and_then(|v| retry_after(v, now_unix_s));
    match status {
        200..=299 if field("ok").and_then(|o| o.as_bool()) == Some(true) => {
            let id = field("result")
                .and_then(|r| r.get("message_id"))
                .and_then(|m| m.as_i64());
            Delivery::Delivered {
                status: Some(status),
                answer: match id {
                    Some(id) => format!("HTTP {status}: ok, message_id {id}"),
                    None => format!("HTTP {status}: ok"),
                },
            }
        }
        200..=299 => Delivery::Permanent {
            status: Some(status),
            error: format!(
                "HTTP {status} from {shown}, but not the Bot API's {{\"ok\":true}}{said}: check \
                 api_url"
            ),
        },
        429 => Delivery::Retry {
            status: Some(status),
            error: format!("HTTP {status} from {shown}{said}"),
            after: telegram_retry_after(&a.body).or(from_header),
        },
        408 | 500..=599 => Delivery::Retry {
            status: Some(status),
            error: format!("HTTP {status} from {shown}{said}"),
            after: from_header,
        },
        _ => {
            let advice = match (status, param("migrate_to_chat_id").and_then(|m| m.as_i64())) {
                (_, Some(to)) => {
                    format!(" (the group became a supergroup: set chat_id = {to} in the target)")
                }
                (400, None) if said.contains("chat not found") => {
                    " (check chat_id: the bot must be a member of the chat, or someone must \
                     have messaged it first)"
                        .to_string()
                }
                (400, None) => " (Telegram refused the message)".to_string(),
                (401, _) => {
                    " (the bot token was refused: check it with @BotFather, or issue a new one)"
                        .to_string()
                }
                (403, _) => " (the bot may not post in this chat: it was blocked, removed, or \
                              is not an admin of the channel)"
                    .to_string(),
                (404, _) => " (no such bot: check the bot token and api_url)".to_string(),
                _ => String::new(),
            };
            Delivery::Permanent {
                status: Some(status),
                error: format!("HTTP {status} from {shown}{said}{advice}"),
            }
        }
    }
}

fn advice(flavor: Flavor, status: u16) -> &'static str {
    match (flavor, status) {
        (Flavor::Slack | Flavor::Discord, 404 | 410) => {
            " (the webhook was deleted, revoked or its channel archived: create a new one and \
             update the target's url_env or url_file)"
        }
        (Flavor::Slack | Flavor::Discord, 401 | 403) => {
            " (the webhook is not allowed to post: check it in the workspace settings)"
        }
        (Flavor::Sentry, 401 | 403) => " (the DSN's key was refused: check the DSN)",
        (_, 401 | 403) => " (the credential was refused: check it)",
        (_, 400 | 413 | 422) => " (the target refused the payload)",
        (_, 410) => " (the endpoint is gone: remove or update the target)",
        _ => "",
    }
}

fn network_error(e: ureq::Error, url: &str, shown: &str, timeout: Duration) -> Delivery {
    use ureq::Error as E;
    // ureq messages can quote the URL; only its redacted form may show.
    let clean = |s: String| scrub(&s.replace(url, shown));
    let retry = |error: String| Delivery::Retry {
        status: None,
        error,
        after: None,
    };
    let permanent = |error: String| Delivery::Permanent {
        status: None,
        error,
    };
    match e {
        E::Timeout(_) => retry(format!("no answer from {shown} within {}", secs(timeout))),
        E::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
            retry(format!("no answer from {shown} within {}", secs(timeout)))
        }
        E::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            retry(format!("could not connect to {shown}: connection refused"))
        }
        E::Io(io) => retry(format!("{shown}: {}", clean(io.to_string()))),
        E::HostNotFound => retry(format!("cannot resolve the host of {shown}")),
        E::ConnectionFailed => retry(format!("could not connect to {shown}")),
        E::Protocol(p) => retry(format!(
            "{shown} answered with broken HTTP: {}",
            clean(p.to_string())
        )),
        E::Tls(t) => retry(format!("TLS with {shown} failed: {t}")),
        E::Rustls(r) => retry(format!("TLS with {shown} failed: {}", clean(r.to_string()))),
        E::Pem(p) => retry(format!("TLS with {shown} failed: {}", clean(p.to_string()))),
        E::BadUri(_) => permanent(format!("{shown} is not a valid URL: check the target")),
        E::Http(h) => permanent(format!(
            "cannot build the request for {shown}: {}",
            clean(h.to_string())
        )),
        E::InvalidProxyUrl => permanent(
            "the proxy URL in the environment (HTTPS_PROXY / ALL_PROXY) is invalid".into(),
        ),
        E::RedirectFailed | E::TooManyRedirects => permanent(format!(
            "{shown} redirected: redirects are not followed: configure the final URL"
        )),
        other => retry(format!("{shown}: {}", clean(other.to_string()))),
    }
}

fn secs(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16) -> Answer {
        Answer {
            status,
            retry_after: None,
            sentry_limits: None,
            location: None,
            body: Vec::new(),
        }
    }

    #[test]
    fn quoted_paths_are_hidden() {
        // A path secret no scrubber rule knows: only the URL says it is one.
        let url = "https://h.example/hooks/T0/plainlookingsecretvalue?x=1";
        let d = hide_url(
            Delivery::Permanent {
                status: Some(404),
                error: "HTTP 404 from https://h.example/…: no route \
                        /hooks/T0/plainlookingsecretvalue?x=1 (plainlookingsecretvalue)"
                    .into(),
            },
            url,
        );
        let Delivery::Permanent { error, .. } = d else {
            panic!()
        };
        assert!(!error.contains("plainlooking"), "{error}");
        assert!(error.starts_with("HTTP 404 from https://h.example/…: no route …"));
        // Short segments ("hooks", "T0") are common words: left alone.
        let d = hide_url(
            Delivery::Delivered {
                status: Some(200),
                answer: "HTTP 200: hooks ok".into(),
            },
            url,
        );
        assert!(matches!(d, Delivery::Delivered { answer, .. } if answer == "HTTP 200: hooks ok"));
    }

    #[test]
    fn telegram_answers() {
        let mut a = answer(429);
        a.body = br#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 9","parameters":{"retry_after":9}}"#.to_vec();
        assert!(matches!(
            classify(Flavor::Telegram, &a, "x", 0),
            Delivery::Retry { after: Some(d), .. } if d == Duration::from_secs(9)
        ));
        let mut a = answer(302);
        a.location = Some("https://elsewhere/bot1:x".into());
        let d = classify(Flavor::Telegram, &a, "x", 0);
        assert!(
            matches!(&d, Delivery::Permanent { error, .. } if error.contains("redirect")),
            "{d:?}"
        );
        let mut a = answer(200);
        a.body = br#"{"ok":true,"result":true}"#.to_vec();
        assert!(matches!(
            classify(Flavor::Telegram, &a, "x", 0),
            Delivery::Delivered { answer, .. } if answer == "HTTP 200: ok"
        ));
    }

    #[test]
    fn loopback_hosts() {
        assert!(is_loopback("http://127.0.0.1:8080/x"));
        assert!(is_loopback("http://127.3.4.5/"));
        assert!(is_loopback("http://[::1]:9/x"));
        assert!(is_loopback("http://LOCALHOST"));
        assert!(is_loopback("http://u:p@localhost:1/"));
        assert!(!is_loopback("https://hooks.slack.com/services/x"));
        assert!(!is_loopback("https://127.0.0.1.example.com/"));
    }

    #[test]
    fn statuses() {
        let d = classify(Flavor::Generic, &answer(204), "x", 0);
        assert!(matches!(
            d,
            Delivery::Delivered {
                status: Some(204),
                ..
            }
        ));
        for s in [408, 429, 500, 502, 503, 504] {
            let d = classify(Flavor::Generic, &answer(s), "x", 0);
            assert!(matches!(d, Delivery::Retry { after: None, .. }), "{s}");
        }
        for s in [301, 302, 307, 400, 401, 403, 404, 410, 413] {
            let d = classify(Flavor::Generic, &answer(s), "x", 0);
            assert!(matches!(d, Delivery::Permanent { .. }), "{s}");
        }
        let d = classify(Flavor::Sentry, &answer(429), "x", 0);
        assert!(
            matches!(d, Delivery::Retry { after: Some(a), .. } if a == Duration::from_secs(60))
        );
        let mut a = answer(429);
        a.sentry_limits = Some("120:error:key".into());
        a.retry_after = Some("5".into());
        let d = classify(Flavor::Sentry, &a, "x", 0);
        assert!(
            matches!(d, Delivery::Retry { after: Some(a), .. } if a == Duration::from_secs(120))
        );
        let mut a = answer(503);
        a.retry_after = Some("5".into());
        let d = classify(Flavor::Generic, &a, "x", 0);
        assert!(matches!(d, Delivery::Retry { after: Some(a), .. } if a == Duration::from_secs(5)));
    }
}
