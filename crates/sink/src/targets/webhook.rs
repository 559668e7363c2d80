//! Generic webhook signed per Standard Webhooks: `{type, timestamp, data}`
//! with `webhook-id` / `webhook-timestamp` / `webhook-signature`.

use crate::text::{cut_chars, sha256_hex};
use crate::time::event_time;
use crate::{Notification, Rendered, Status};
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The spec recommends keeping payloads under 20 kB.
pub(crate) const MAX_BODY: usize = 20_000;

pub(crate) fn render(
    url: &str,
    key: Option<&[u8]>,
    extra_headers: &[(String, String)],
    n: &Notification,
    now_unix_s: i64,
) -> Result<Rendered, String> {
    let body = body(n, now_unix_s);
    let id = webhook_id(n);
    let mut headers = vec![
        ("Content-Type".to_string(), "application/json".to_string()),
        ("webhook-id".to_string(), id.clone()),
        ("webhook-timestamp".to_string(), now_unix_s.to_string()),
    ];
    if let Some(key) = key {
        headers.push((
            "webhook-signature".to_string(),
            sign(key, &id, now_unix_s, &body),
        ));
    }
    headers.push(("Idempotency-Key".to_string(), id));
    headers.extend(extra_headers.iter().cloned());
    Ok(Rendered::Http {
        method: "POST".to_string(),
        url: url.to_string(),
        headers,
        body,
    })
}

/// The event type: `hookwatch.test`, `hookwatch.alert.resolved`,
/// `hookwatch.attention.<kind>` (done, needs_you, idle, failed; the
/// `attention` object is in `data`), else `hookwatch.alert.firing`. Test
/// comes first so that receivers never act on a test; a resolve note
/// stays one whatever notification it closes.
pub(crate) fn event_type(n: &Notification) -> String {
    if n.test {
        return "hookwatch.test".to_string();
    }
    if n.status == Status::Resolved {
        return "hookwatch.alert.resolved".to_string();
    }
    match &n.attention {
        Some(a) => {
            // The kind is text from the outbox row: only what an event
            // type may hold goes into it.
            let kind: String = a
                .kind
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .take(32)
                .collect::<String>()
                .to_ascii_lowercase();
            let kind = if kind.is_empty() { "other" } else { &kind };
            format!("hookwatch.attention.{kind}")
        }
        None => "hookwatch.alert.firing".to_string(),
    }
}

fn body(n: &Notification, now_unix_s: i64) -> Vec<u8> {
    let kind = event_type(n);
    let timestamp = event_time(n.created_us, now_unix_s);
    let encode = |data: &serde_json::Value| {
        serde_json::to_vec(&serde_json::json!({
            "type": kind,
            "timestamp": timestamp,
            "data": data,
        }))
        .unwrap_or_default()
    };
    let mut data = n.clone();
    // A long attention message gives way first, to a length still worth
    // reading; then the alerts, then every string.
    for max in [None, Some(8000), Some(2000)] {
        if let (Some(max), Some(m)) = (
            max,
            data.attention.as_mut().and_then(|a| a.message.as_mut()),
        ) {
            *m = cut_chars(m, max);
        }
        let out = encode(&serde_json::to_value(&data).unwrap_or_default());
        if out.len() <= MAX_BODY {
            return out;
        }
        if data.attention.is_none() {
            break;
        }
    }
    loop {
        let value = serde_json::to_value(&data).unwrap_or_default();
        let out = encode(&value);
        if out.len() <= MAX_BODY || data.alerts.is_empty() {
            if out.len() <= MAX_BODY {
                return out;
            }
            // Without any alert and still too big: long titles or labels.
            // Cut every string until it fits.
            for max in [1000, 200, 40] {
                let out = encode(&cut_strings(value.clone(), max));
                if out.len() <= MAX_BODY {
                    return out;
                }
            }
            return encode(&cut_strings(value, 40));
        }
        // The newest alert is the one a reader acts on: the oldest go.
        data.alerts.remove(0);
        data.omitted += 1;
    }
}

fn cut_strings(v: serde_json::Value, max: usize) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::String(s) => Value::String(cut_chars(&s, max)),
        Value::Array(a) => Value::Array(a.into_iter().map(|v| cut_strings(v, max)).collect()),
        Value::Object(o) => Value::Object(
            o.into_iter()
                .take(max)
                .map(|(k, v)| (cut_chars(&k, max), cut_strings(v, max)))
                .collect(),
        ),
        other => other,
    }
}

/// The notification key when it is a usable id (the spec forbids `.`, and
/// it goes into a header), else a stable hash of it.
pub(crate) fn webhook_id(n: &Notification) -> String {
    let k = &n.key;
    if k.is_empty() {
        return format!("msg_hookwatch_{}", n.id);
    }
    let usable = k.len() <= 200
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_:".contains(&b));
    if usable {
        k.clone()
    } else {
        format!("msg_{}", &sha256_hex("webhook-id", k)[..32])
    }
}

fn sign(key: &[u8], id: &str, ts: i64, body: &[u8]) -> String {
    // HMAC accepts keys of any length, so new_from_slice cannot fail.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("any key length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(ts.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let sig = mac.finalize().into_bytes();
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(sig)
    )
}

/// `v1,<base64 HMAC-SHA256(key, "{id}.{ts}.{body}")>` where the key is the
/// base64 after `whsec_` (or the raw secret without that prefix).
pub fn standard_webhooks_signature(
    secret: &str,
    id: &str,
    ts: i64,
    body: &[u8],
) -> Result<String, String> {
    let key = crate::secrets::signing_key(secret)?;
    Ok(sign(&key, id, ts, body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AlertItem;

    #[test]
    fn spec_test_vector() {
        assert_eq!(
            standard_webhooks_signature(
                "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
                "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
                1649367553,
                br#"{"email":"test@example.com","username":"test_user"}"#,
            )
            .unwrap(),
            "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw="
        );
    }

    #[test]
    fn event_types() {
        let mut n = Notification::default();
        assert_eq!(event_type(&n), "hookwatch.alert.firing");
        n.attention = Some(crate::Attention {
            kind: "needs_you".into(),
            ..Default::default()
        });
        assert_eq!(event_type(&n), "hookwatch.attention.needs_you");
        n.attention.as_mut().unwrap().kind = "Weird.Kind!".into();
        assert_eq!(event_type(&n), "hookwatch.attention.weirdkind");
        n.attention.as_mut().unwrap().kind = "".into();
        assert_eq!(event_type(&n), "hookwatch.attention.other");
        n.test = true;
        assert_eq!(event_type(&n), "hookwatch.test");
    }

    #[test]
    fn ids_without_dots() {
        let mut n = Notification {
            key: "n-42-abc".into(),
            ..Default::default()
        };
        assert_eq!(webhook_id(&n), "n-42-abc");
        n.key = "a.b".into();
        let id = webhook_id(&n);
        assert!(!id.contains('.') && id.starts_with("msg_"));
        assert_eq!(id, webhook_id(&n));
    }

    #[test]
    fn big_notifications_shrink_under_20kb() {
        let n = Notification {
            key: "k".into(),
            title: "t".repeat(50_000),
            alerts: vec![
                AlertItem {
                    error: Some("e".repeat(1000)),
                    ..Default::default()
                };
                60
            ],
            ..Default::default()
        };
        let b = body(&n, 0);
        assert!(b.len() <= MAX_BODY);
        let v: serde_json::Value = serde_json::from_slice(&b).unwrap();
        assert_eq!(v["data"]["omitted"], 60);
        let n = Notification {
            alerts: n.alerts,
            ..Default::default()
        };
        let b = body(&n, 0);
        assert!(b.len() <= MAX_BODY);
        let v: serde_json::Value = serde_json::from_slice(&b).unwrap();
        let kept = v["data"]["alerts"].as_array().unwrap().len() as u64;
        assert!(kept > 5);
        assert_eq!(kept + v["data"]["omitted"].as_u64().unwrap(), 60);
    }
}
