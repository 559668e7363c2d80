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

fn body(n: &Notification, now_unix_s: i64) -> Vec<u8> {
    let attention = n
        .attention
        .as_ref()
        .map(|a| format!("hookwatch.attention.{}", a.kind));
    let kind = if n.test {
        "hookwatch.test"
    } else if let Some(k) = attention.as_deref() {
        k
    } else if n.status == Status::Resolved {
        "hookwatch.alert.resolved"
    } else {
        "hookwatch.alert.firing"
    };
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
        data.alerts.pop();
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
