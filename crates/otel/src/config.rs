//! `[otel]` in config.toml, and the standard `OTEL_EXPORTER_OTLP_*`
//! variables. What the config file says wins; a variable fills what it
//! leaves unset (the order the OpenTelemetry SDKs use: code, then the
//! signal's variable, then the generic one). The worker that exports is
//! started by a hook, so it sees the variables Claude Code was given: the
//! same ones that point Claude Code's own telemetry at the collector.

use hookwatch_alert::duration;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct OtelConfig {
    /// On when an endpoint is set (here or in OTEL_EXPORTER_OTLP_ENDPOINT);
    /// `false` turns it off whatever the variables say.
    pub enabled: Option<bool>,
    /// The collector's base URL; `/v1/logs`, `/v1/metrics` and
    /// `/v1/traces` are appended (default http://localhost:4318).
    pub endpoint: Option<String>,
    /// Full URLs per signal, used as given.
    pub logs_endpoint: Option<String>,
    pub metrics_endpoint: Option<String>,
    pub traces_endpoint: Option<String>,
    /// `http/protobuf` (default) or `http/json`.
    pub protocol: Option<String>,
    /// Sent with every request. A value `env:NAME` or `file:PATH` is read
    /// from there, so a token need not be in this file.
    pub headers: BTreeMap<String, String>,
    /// Per request (default 10s).
    pub timeout: Option<String>,
    /// Which signals: any of "logs", "metrics", "traces" (default all).
    pub signals: Option<Vec<String>>,
    /// Metrics: "cumulative" (default; what Prometheus wants) or "delta".
    pub temporality: Option<String>,
    /// Hook events exported as log records (default all); metrics and
    /// traces always see every event.
    pub events: Option<Vec<String>>,
    /// Hook events never exported as log records.
    pub exclude_events: Vec<String>,
    /// Send the user's prompts (UserPromptSubmit `prompt`, scrubbed). Off:
    /// prompts are often the most private thing a person types.
    pub include_prompts: bool,
    /// Attributes never sent (record or resource), e.g. "hookwatch.command"
    /// or "user.name".
    pub exclude_attributes: Vec<String>,
    /// Events waiting per signal before the oldest are dropped (counted in
    /// `hookwatch otel status`); also what retention keeps for export.
    pub max_queue: Option<i64>,
    /// Events per request.
    pub batch: Option<usize>,
    /// `service.name` (default "hookwatch"; or OTEL_SERVICE_NAME).
    pub service_name: Option<String>,
    /// Extra resource attributes, e.g. { "deployment.environment.name" = "ci" };
    /// OTEL_RESOURCE_ATTRIBUTES adds to them.
    pub resource: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Signal {
    Logs,
    Metrics,
    Traces,
}

impl Signal {
    pub const ALL: [Signal; 3] = [Signal::Logs, Signal::Metrics, Signal::Traces];

    pub fn name(self) -> &'static str {
        match self {
            Signal::Logs => "logs",
            Signal::Metrics => "metrics",
            Signal::Traces => "traces",
        }
    }

    fn env(self) -> &'static str {
        match self {
            Signal::Logs => "LOGS",
            Signal::Metrics => "METRICS",
            Signal::Traces => "TRACES",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Protocol {
    #[serde(rename = "http/protobuf")]
    Protobuf,
    #[serde(rename = "http/json")]
    Json,
}

impl Protocol {
    pub fn content_type(self) -> &'static str {
        match self {
            Protocol::Protobuf => "application/x-protobuf",
            Protocol::Json => "application/json",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Temporality {
    Cumulative,
    Delta,
}

/// One signal's destination.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    pub signal: Signal,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub timeout: Duration,
    pub protocol: Protocol,
}

/// `[otel]` and the variables, resolved: what the exporter does.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub endpoints: Vec<Endpoint>,
    pub temporality: Temporality,
    pub events: Option<Vec<String>>,
    pub exclude_events: Vec<String>,
    pub include_prompts: bool,
    pub exclude_attributes: Vec<String>,
    pub max_queue: i64,
    pub batch: usize,
    pub service_name: String,
    pub resource: Vec<(String, String)>,
}

pub const DEFAULT_ENDPOINT: &str = "http://localhost:4318";
pub const DEFAULT_MAX_QUEUE: i64 = 1_000_000;
pub const DEFAULT_BATCH: usize = 512;

impl Settings {
    /// The signals exported.
    pub fn signals(&self) -> Vec<Signal> {
        self.endpoints.iter().map(|e| e.signal).collect()
    }

    pub fn endpoint(&self, s: Signal) -> Option<&Endpoint> {
        self.endpoints.iter().find(|e| e.signal == s)
    }

    /// Should `event` be exported as a log record?
    pub fn logs_event(&self, event: &str) -> bool {
        if self.exclude_events.iter().any(|e| e == event) {
            return false;
        }
        self.events
            .as_ref()
            .is_none_or(|want| want.iter().any(|e| e == event))
    }

    pub fn keeps_attribute(&self, key: &str) -> bool {
        !self.exclude_attributes.iter().any(|k| k == key)
    }
}

impl OtelConfig {
    /// Is export on?
    pub fn active(&self) -> bool {
        // The variables alone do not turn it on: Claude Code users set them
        // for Claude Code's own telemetry, and a `hookwatch drain` started
        // from another shell would not see them.
        match self.enabled {
            Some(on) => on,
            None => {
                self.endpoint.is_some()
                    || self.logs_endpoint.is_some()
                    || self.metrics_endpoint.is_some()
                    || self.traces_endpoint.is_some()
            }
        }
    }

    /// Resolve against the variables (`env`); Ok(None) when export is off.
    /// Errors say which setting is wrong and what to write instead.
    pub fn resolve(
        &self,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Option<Settings>, String> {
        if !self.active() {
            return Ok(None);
        }
        let env = |k: &str| env(k).filter(|v| !v.trim().is_empty());
        let signals: Vec<Signal> = match &self.signals {
            None => Signal::ALL.to_vec(),
            Some(list) => list
                .iter()
                .map(|s| {
                    Signal::ALL
                        .into_iter()
                        .find(|x| x.name() == s)
                        .ok_or_else(|| {
                            format!("[otel] signals: unknown signal {s:?}; use \"logs\", \"metrics\" or \"traces\"")
                        })
                })
                .collect::<Result<_, _>>()?,
        };
        let mut endpoints = Vec::new();
        // The variables describe the collector they name: when [otel] names
        // its own, Claude Code's headers (a vendor's key), protocol and
        // timeout are not sent there.
        let any_own = self.endpoint.is_some()
            || self.logs_endpoint.is_some()
            || self.metrics_endpoint.is_some()
            || self.traces_endpoint.is_some();
        for signal in signals {
            let own = match signal {
                Signal::Logs => &self.logs_endpoint,
                Signal::Metrics => &self.metrics_endpoint,
                Signal::Traces => &self.traces_endpoint,
            };
            let from_env = own.is_none() && self.endpoint.is_none();
            let env = |k: &str| if from_env { env(k) } else { None };
            let per = |suffix: &str| env(&format!("OTEL_EXPORTER_OTLP_{}_{suffix}", signal.env()));
            let base = |b: &str| format!("{}/v1/{}", b.trim_end_matches('/'), signal.name());
            let url = match (own, &self.endpoint) {
                (Some(u), _) => u.clone(),
                (None, Some(b)) => base(b),
                (None, None) => per("ENDPOINT").unwrap_or_else(|| {
                    base(&env("OTEL_EXPORTER_OTLP_ENDPOINT").unwrap_or(DEFAULT_ENDPOINT.into()))
                }),
            };
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(format!(
                    "[otel] {} endpoint {:?} is not an http(s) URL; write e.g. endpoint = \"http://collector:4318\"",
                    signal.name(),
                    hookwatch_scrub::scrub_str(&url)
                ));
            }
            let protocol_text = self
                .protocol
                .clone()
                .or_else(|| per("PROTOCOL"))
                .or_else(|| env("OTEL_EXPORTER_OTLP_PROTOCOL"))
                .unwrap_or_else(|| "http/protobuf".into());
            let protocol = match protocol_text.trim() {
                "http/protobuf" => Protocol::Protobuf,
                "http/json" => Protocol::Json,
                "grpc" => {
                    return Err(
                        "OTLP over gRPC is not supported: hookwatch exports over OTLP/HTTP; set [otel] protocol = \"http/protobuf\" and an endpoint on the collector's HTTP port (4318)".into(),
                    )
                }
                other => {
                    return Err(format!(
                        "[otel] protocol {other:?}: use \"http/protobuf\" or \"http/json\""
                    ))
                }
            };
            let timeout = match (
                &self.timeout,
                per("TIMEOUT").or_else(|| env("OTEL_EXPORTER_OTLP_TIMEOUT")),
            ) {
                (Some(t), _) => Duration::from_micros(
                    duration::parse(t)
                        .map_err(|e| format!("[otel] timeout: {e}"))?
                        .max(0) as u64,
                ),
                (None, Some(ms)) => {
                    Duration::from_millis(ms.trim().parse::<u64>().map_err(|_| {
                        "OTEL_EXPORTER_OTLP_TIMEOUT must be milliseconds, e.g. 10000".to_string()
                    })?)
                }
                (None, None) => Duration::from_secs(10),
            };
            // Headers: generic variable, then the signal's, then the config.
            let mut headers: BTreeMap<String, String> = BTreeMap::new();
            for var in [
                "OTEL_EXPORTER_OTLP_HEADERS".to_string(),
                format!("OTEL_EXPORTER_OTLP_{}_HEADERS", signal.env()),
            ] {
                if let Some(list) = env(&var) {
                    for (k, v) in parse_key_values(&list) {
                        headers.insert(k.to_ascii_lowercase(), v);
                    }
                }
            }
            for (k, v) in &self.headers {
                headers.insert(k.to_ascii_lowercase(), header_value(k, v)?);
            }
            endpoints.push(Endpoint {
                signal,
                url,
                headers: headers.into_iter().collect(),
                timeout,
                protocol,
            });
        }
        let temporality = match self
            .temporality
            .clone()
            .or_else(|| {
                (!any_own)
                    .then(|| env("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE"))
                    .flatten()
            })
            .map(|t| t.trim().to_ascii_lowercase())
            .as_deref()
        {
            None | Some("cumulative") => Temporality::Cumulative,
            Some("delta") | Some("lowmemory") => Temporality::Delta,
            Some(other) => {
                return Err(format!(
                    "[otel] temporality {other:?}: use \"cumulative\" or \"delta\""
                ))
            }
        };
        let mut resource: BTreeMap<String, String> = BTreeMap::new();
        if let Some(list) = env("OTEL_RESOURCE_ATTRIBUTES") {
            resource.extend(parse_key_values(&list));
        }
        resource.extend(self.resource.clone());
        let service_name = self
            .service_name
            .clone()
            .or_else(|| env("OTEL_SERVICE_NAME"))
            .or_else(|| resource.remove("service.name"))
            .unwrap_or_else(|| "hookwatch".into());
        resource.remove("service.name");
        let max_queue = self.max_queue.unwrap_or(DEFAULT_MAX_QUEUE);
        if max_queue < 1 {
            return Err("[otel] max_queue must be at least 1".into());
        }
        let batch = self.batch.unwrap_or(DEFAULT_BATCH);
        if !(1..=10_000).contains(&batch) {
            return Err("[otel] batch must be between 1 and 10000".into());
        }
        Ok(Some(Settings {
            endpoints,
            temporality,
            events: self.events.clone(),
            exclude_events: self.exclude_events.clone(),
            include_prompts: self.include_prompts,
            exclude_attributes: self.exclude_attributes.clone(),
            max_queue,
            batch,
            service_name,
            resource: resource.into_iter().collect(),
        }))
    }
}

/// `env:NAME` / `file:PATH` / a literal.
fn header_value(name: &str, v: &str) -> Result<String, String> {
    if let Some(var) = v.strip_prefix("env:") {
        return std::env::var(var).map_err(|_| {
            format!("[otel] header {name}: the environment variable {var} is not set; export it, or change the header's value")
        });
    }
    if let Some(path) = v.strip_prefix("file:") {
        return std::fs::read_to_string(path)
            .map(|s| s.trim().to_string())
            .map_err(|e| format!("[otel] header {name}: cannot read {path}: {e}"));
    }
    Ok(v.to_string())
}

/// `k1=v1,k2=v2` with percent-encoded values (the W3C Baggage form the
/// OTEL_* variables use).
pub fn parse_key_values(list: &str) -> Vec<(String, String)> {
    list.split(',')
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            let k = k.trim();
            (!k.is_empty()).then(|| (percent_decode(k), percent_decode(v.trim())))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k: &str| m.get(k).cloned()
    }

    #[test]
    fn off_unless_an_endpoint_or_enabled() {
        let none = env_of(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318")]);
        assert_eq!(OtelConfig::default().resolve(&none).unwrap(), None);
        let c = OtelConfig {
            enabled: Some(true),
            ..Default::default()
        };
        let s = c.resolve(&none).unwrap().unwrap();
        assert_eq!(s.endpoints[0].url, "http://c:4318/v1/logs");
        assert_eq!(s.endpoints[2].url, "http://c:4318/v1/traces");
        let c = OtelConfig {
            enabled: Some(false),
            endpoint: Some("http://x:4318".into()),
            ..Default::default()
        };
        assert_eq!(c.resolve(&none).unwrap(), None);
    }

    #[test]
    fn config_wins_over_signal_variable_over_generic_variable() {
        let env = env_of(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://generic:4318/"),
            (
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                "http://traces:9999/custom",
            ),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"),
            (
                "OTEL_EXPORTER_OTLP_HEADERS",
                "x-a=1,Authorization=Bearer%20abc",
            ),
            ("OTEL_EXPORTER_OTLP_METRICS_HEADERS", "x-a=2"),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "2500"),
            ("OTEL_RESOURCE_ATTRIBUTES", "team=core,service.name=svc"),
            ("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "delta"),
        ]);
        let c = OtelConfig {
            enabled: Some(true),
            ..Default::default()
        };
        let s = c.resolve(&env).unwrap().unwrap();
        let logs = s.endpoint(Signal::Logs).unwrap();
        assert_eq!(logs.url, "http://generic:4318/v1/logs");
        assert_eq!(logs.protocol, Protocol::Json);
        assert_eq!(logs.timeout, Duration::from_millis(2500));
        assert!(logs
            .headers
            .contains(&("authorization".into(), "Bearer abc".into())));
        assert!(logs.headers.contains(&("x-a".into(), "1".into())));
        let metrics = s.endpoint(Signal::Metrics).unwrap();
        assert!(metrics.headers.contains(&("x-a".into(), "2".into())));
        assert_eq!(
            s.endpoint(Signal::Traces).unwrap().url,
            "http://traces:9999/custom"
        );
        assert_eq!(s.temporality, Temporality::Delta);
        assert_eq!(s.service_name, "svc");
        assert_eq!(s.resource, vec![("team".into(), "core".into())]);

        let c = OtelConfig {
            endpoint: Some("http://mine:4318".into()),
            protocol: Some("http/protobuf".into()),
            timeout: Some("3s".into()),
            signals: Some(vec!["logs".into()]),
            headers: [("X-A".to_string(), "3".to_string())].into(),
            ..Default::default()
        };
        let s = c.resolve(&env).unwrap().unwrap();
        assert_eq!(s.endpoints.len(), 1);
        let logs = &s.endpoints[0];
        assert_eq!(logs.url, "http://mine:4318/v1/logs");
        assert_eq!(logs.protocol, Protocol::Protobuf);
        assert_eq!(logs.timeout, Duration::from_secs(3));
        assert!(logs.headers.contains(&("x-a".into(), "3".into())));
        // Claude Code's variables are not sent to hookwatch's own collector.
        assert!(
            !logs.headers.iter().any(|(k, _)| k == "authorization"),
            "{:?}",
            logs.headers
        );
        assert_eq!(s.temporality, Temporality::Cumulative);
        let c = OtelConfig {
            endpoint: Some("http://mine:4318".into()),
            ..Default::default()
        };
        let s = c.resolve(&env).unwrap().unwrap();
        assert_eq!(s.endpoints[0].protocol, Protocol::Protobuf);
        assert_eq!(s.endpoints[0].timeout, Duration::from_secs(10));
        assert!(s.endpoints[0].headers.is_empty());
        // A gRPC setting for Claude Code does not break hookwatch's export.
        let grpc = env_of(&[("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")]);
        assert!(c.resolve(&grpc).unwrap().is_some());
    }

    #[test]
    fn errors_say_what_to_write() {
        let none = env_of(&[]);
        let bad = |c: OtelConfig| c.resolve(&none).unwrap_err();
        let on = || OtelConfig {
            enabled: Some(true),
            ..Default::default()
        };
        assert!(bad(OtelConfig {
            protocol: Some("grpc".into()),
            ..on()
        })
        .contains("4318"));
        assert!(bad(OtelConfig {
            signals: Some(vec!["profiles".into()]),
            ..on()
        })
        .contains("\"logs\""));
        assert!(bad(OtelConfig {
            endpoint: Some("collector:4318".into()),
            ..on()
        })
        .contains("http"));
        assert!(bad(OtelConfig {
            headers: [(
                "x-token".to_string(),
                "env:HOOKWATCH_TEST_NOPE_NOT_SET".to_string()
            )]
            .into(),
            ..on()
        })
        .contains("HOOKWATCH_TEST_NOPE_NOT_SET"));
    }

    #[test]
    fn event_filters_and_excluded_attributes() {
        let s = OtelConfig {
            enabled: Some(true),
            exclude_events: vec!["Notification".into()],
            exclude_attributes: vec!["user.name".into()],
            ..Default::default()
        }
        .resolve(&env_of(&[]))
        .unwrap()
        .unwrap();
        assert!(s.logs_event("PreToolUse"));
        assert!(!s.logs_event("Notification"));
        assert!(!s.keeps_attribute("user.name"));
        assert_eq!(
            parse_key_values("a=%2Cb,=x,c"),
            vec![("a".to_string(), ",b".to_string())]
        );
    }
}
