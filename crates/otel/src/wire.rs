//! OTLP/HTTP: encode a request (protobuf, or OTLP/JSON with hex ids and
//! string int64s), POST it, and say what the answer means for the cursor:
//! accepted (maybe in part), retry later, or refused for good.

use crate::config::{Endpoint, Protocol};
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceResponse;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceResponse;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceResponse;
use prost::Message;
use std::io::Read;
use std::time::Duration;

pub fn encode<M: Message + serde::Serialize>(m: &M, protocol: Protocol) -> Vec<u8> {
    match protocol {
        Protocol::Protobuf => m.encode_to_vec(),
        Protocol::Json => serde_json::to_vec(m).unwrap_or_default(),
    }
}

/// What the collector's answer means.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// 2xx. `rejected`: items the collector refused (partial success; OTLP
    /// says not to resend them), with its message.
    Accepted {
        status: u16,
        rejected: i64,
        message: Option<String>,
    },
    /// Try the same batch again: 429, 502, 503, 504, no answer. `after`:
    /// the collector's Retry-After.
    Retry {
        status: Option<u16>,
        after: Option<Duration>,
        error: String,
    },
    /// The data was refused (400: cannot be decoded; 413: too large):
    /// resending it cannot succeed.
    Refused { status: u16, error: String },
    /// The collector or its address is wrong (401, 403, 404, 405, 415,
    /// other 4xx/5xx). OTLP says not to retry the request, but the events
    /// are kept: export waits (long backoff) until the config is fixed.
    Misconfigured { status: u16, error: String },
}

/// Which signal's response message to read a partial success from.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Logs,
    Metrics,
    Traces,
}

const BODY_KEEP: u64 = 64 * 1024;

pub fn post(endpoint: &Endpoint, body: &[u8], now_unix_s: i64) -> Answer {
    let kind = match endpoint.signal {
        crate::config::Signal::Logs => Kind::Logs,
        crate::config::Signal::Metrics => Kind::Metrics,
        crate::config::Signal::Traces => Kind::Traces,
    };
    let mut config = ureq::Agent::config_builder();
    if hookwatch_sink::is_loopback(&endpoint.url) {
        // A local collector is never behind the user's HTTP(S)_PROXY.
        config = config.proxy(None);
    }
    let agent: ureq::Agent = config
        .timeout_global(Some(endpoint.timeout))
        .max_redirects(0)
        .http_status_as_error(false)
        .user_agent(format!("hookwatch/{}", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let mut req = agent
        .post(&endpoint.url)
        .header("content-type", endpoint.protocol.content_type());
    for (k, v) in &endpoint.headers {
        req = req.header(k.as_str(), v.as_str());
    }
    let shown = hookwatch_sink::redact_url(&endpoint.url);
    match req.send(body) {
        Ok(mut resp) => {
            let status = resp.status().as_u16();
            let retry_after = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| hookwatch_sink::retry_after(v, now_unix_s));
            let mut bytes = Vec::new();
            let _ = resp
                .body_mut()
                .as_reader()
                .take(BODY_KEEP)
                .read_to_end(&mut bytes);
            let excerpt = || {
                let text = String::from_utf8_lossy(&bytes);
                let one: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
                let cut: String = one.chars().take(200).collect();
                hookwatch_scrub::scrub_str(&cut).into_owned()
            };
            let error = || {
                let e = excerpt();
                if e.is_empty() {
                    format!("{shown} answered {status}")
                } else {
                    format!("{shown} answered {status}: {e}")
                }
            };
            match status {
                200..=299 => {
                    let (rejected, message) = partial_success(kind, endpoint.protocol, &bytes);
                    Answer::Accepted {
                        status,
                        rejected,
                        message: message.map(|m| hookwatch_scrub::scrub_str(&m).into_owned()),
                    }
                }
                429 | 502 | 503 | 504 => Answer::Retry {
                    status: Some(status),
                    after: retry_after,
                    error: error(),
                },
                400 | 413 => Answer::Refused {
                    status,
                    error: error(),
                },
                _ => Answer::Misconfigured {
                    status,
                    error: error(),
                },
            }
        }
        Err(e) => Answer::Retry {
            status: None,
            after: None,
            error: hookwatch_scrub::scrub_str(&format!("{shown}: {e}")).into_owned(),
        },
    }
}

/// Rejected items and message of a 2xx answer; an empty or unreadable
/// body is a full success (collectors answer `{}` or nothing).
fn partial_success(kind: Kind, protocol: Protocol, body: &[u8]) -> (i64, Option<String>) {
    if body.is_empty() {
        return (0, None);
    }
    let looks_json = body.first().is_some_and(|b| *b == b'{');
    if protocol == Protocol::Json || looks_json {
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) else {
            return (0, None);
        };
        let Some(p) = v.get("partialSuccess").or_else(|| v.get("partial_success")) else {
            return (0, None);
        };
        let count = [
            "rejectedLogRecords",
            "rejectedDataPoints",
            "rejectedSpans",
            "rejected_log_records",
            "rejected_data_points",
            "rejected_spans",
        ]
        .iter()
        .find_map(|k| p.get(*k))
        .and_then(|n| {
            n.as_i64()
                .or_else(|| n.as_str().and_then(|s| s.parse().ok()))
        })
        .unwrap_or(0);
        let msg = p
            .get("errorMessage")
            .or_else(|| p.get("error_message"))
            .and_then(|m| m.as_str())
            .filter(|m| !m.is_empty())
            .map(str::to_string);
        return (count, msg);
    }
    let (count, msg) = match kind {
        Kind::Logs => ExportLogsServiceResponse::decode(body)
            .ok()
            .and_then(|r| r.partial_success)
            .map(|p| (p.rejected_log_records, p.error_message)),
        Kind::Metrics => ExportMetricsServiceResponse::decode(body)
            .ok()
            .and_then(|r| r.partial_success)
            .map(|p| (p.rejected_data_points, p.error_message)),
        Kind::Traces => ExportTraceServiceResponse::decode(body)
            .ok()
            .and_then(|r| r.partial_success)
            .map(|p| (p.rejected_spans, p.error_message)),
    }
    .unwrap_or((0, String::new()));
    (count, Some(msg).filter(|m| !m.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsPartialSuccess;

    #[test]
    fn partial_success_in_both_encodings() {
        let pb = ExportLogsServiceResponse {
            partial_success: Some(ExportLogsPartialSuccess {
                rejected_log_records: 3,
                error_message: "too old".into(),
            }),
        }
        .encode_to_vec();
        assert_eq!(
            partial_success(Kind::Logs, Protocol::Protobuf, &pb),
            (3, Some("too old".into()))
        );
        let js = br#"{"partialSuccess":{"rejectedSpans":"2","errorMessage":"x"}}"#;
        assert_eq!(
            partial_success(Kind::Traces, Protocol::Json, js),
            (2, Some("x".into()))
        );
        assert_eq!(
            partial_success(Kind::Metrics, Protocol::Json, b"{}"),
            (0, None)
        );
        assert_eq!(
            partial_success(Kind::Metrics, Protocol::Protobuf, b""),
            (0, None)
        );
        assert_eq!(
            partial_success(Kind::Metrics, Protocol::Protobuf, b"\xff\xff garbage"),
            (0, None)
        );
    }
}
