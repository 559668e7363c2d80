//! OpenTelemetry export of what hookwatch knows: every hook event as an
//! OTLP log record, counters and histograms as OTLP metrics, and each
//! session as a trace (turns and tool calls as spans), sent over OTLP/HTTP
//! (protobuf or JSON) by the worker, never the hook.
//!
//! - [`config`]: `[otel]` and the `OTEL_EXPORTER_OTLP_*` variables;
//! - [`logs`], [`metrics`], [`traces`]: requests built from stored events;
//! - [`resource`]: host, user, CI job and repository of the records;
//! - [`wire`]: encoding, the POST, and what the answer means;
//! - [`pass`]: the worker's pass, one cursor per signal in the store.
//!
//! Everything sent comes from the store, which holds scrubbed text only;
//! what is read from elsewhere (git remotes) is scrubbed here.

pub mod common;
pub mod config;
pub mod logs;
pub mod metrics;
pub mod pass;
pub mod resource;
pub mod traces;
pub mod wire;

pub use config::{OtelConfig, Settings, Signal};

use common::{kv, Attrs};
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue};
use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs, SeverityNumber};
use opentelemetry_proto::tonic::metrics::v1::{
    metric, number_data_point, AggregationTemporality, Metric, NumberDataPoint, ResourceMetrics,
    ScopeMetrics, Sum,
};
use opentelemetry_proto::tonic::trace::v1::{span::SpanKind, ResourceSpans, ScopeSpans, Span};

/// One signal's answer to `hookwatch otel test`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TestResult {
    pub signal: Signal,
    /// The URL with credentials cut off.
    pub url: String,
    pub ok: bool,
    pub status: Option<u16>,
    /// The collector's answer in words.
    pub answer: String,
    pub millis: u64,
}

/// Send one record of each signal (a log record, a span and a counter
/// point, all named `hookwatch.otel.test`) straight to the collector, not
/// through the cursors, and report each answer.
pub fn send_test(
    settings: &Settings,
    now_us: i64,
    env: &dyn Fn(&str) -> Option<String>,
) -> Vec<TestResult> {
    let keep = |k: &str| settings.keeps_attribute(k);
    let resource = {
        let mut r = resource::Resources::new(
            resource::machine(&settings.service_name, env),
            settings.resource.clone(),
        );
        common::resource(r.of(""), &keep)
    };
    let ns = (now_us.max(0) as u64) * 1000;
    let session = format!("hookwatch-otel-test-{now_us}");
    let mut attrs = Attrs::new(&keep);
    attrs.str("session.id", &session);
    attrs.str("hookwatch.event", "hookwatch.otel.test");
    let attributes = attrs.done();
    let mut out = Vec::new();
    for endpoint in &settings.endpoints {
        let body = match endpoint.signal {
            Signal::Logs => wire::encode(
                &ExportLogsServiceRequest {
                    resource_logs: vec![ResourceLogs {
                        resource: Some(resource.clone()),
                        scope_logs: vec![ScopeLogs {
                            scope: Some(common::scope()),
                            log_records: vec![LogRecord {
                                time_unix_nano: ns,
                                observed_time_unix_nano: ns,
                                severity_number: SeverityNumber::Info as i32,
                                severity_text: "INFO".into(),
                                body: Some(AnyValue {
                                    value: Some(any_value::Value::StringValue(
                                        "hookwatch otel test: this record can be ignored".into(),
                                    )),
                                }),
                                attributes: attributes.clone(),
                                event_name: "hookwatch.otel.test".into(),
                                trace_id: common::trace_id(&session),
                                span_id: common::session_span(&session),
                                ..Default::default()
                            }],
                            ..Default::default()
                        }],
                        ..Default::default()
                    }],
                },
                endpoint.protocol,
            ),
            Signal::Traces => wire::encode(
                &ExportTraceServiceRequest {
                    resource_spans: vec![ResourceSpans {
                        resource: Some(resource.clone()),
                        scope_spans: vec![ScopeSpans {
                            scope: Some(common::scope()),
                            spans: vec![Span {
                                trace_id: common::trace_id(&session),
                                span_id: common::session_span(&session),
                                name: "hookwatch.otel.test".into(),
                                kind: SpanKind::Internal as i32,
                                start_time_unix_nano: ns.saturating_sub(1_000_000),
                                end_time_unix_nano: ns,
                                attributes: attributes.clone(),
                                ..Default::default()
                            }],
                            ..Default::default()
                        }],
                        ..Default::default()
                    }],
                },
                endpoint.protocol,
            ),
            Signal::Metrics => wire::encode(
                &ExportMetricsServiceRequest {
                    resource_metrics: vec![ResourceMetrics {
                        resource: Some(resource.clone()),
                        scope_metrics: vec![ScopeMetrics {
                            scope: Some(common::scope()),
                            metrics: vec![Metric {
                                name: "hookwatch.otel.test".into(),
                                description: "hookwatch otel test: can be ignored".into(),
                                unit: "1".into(),
                                data: Some(metric::Data::Sum(Sum {
                                    data_points: vec![NumberDataPoint {
                                        attributes: vec![kv(
                                            "hookwatch.event",
                                            any_value::Value::StringValue(
                                                "hookwatch.otel.test".into(),
                                            ),
                                        )],
                                        start_time_unix_nano: ns.saturating_sub(1_000_000),
                                        time_unix_nano: ns,
                                        value: Some(number_data_point::Value::AsInt(1)),
                                        ..Default::default()
                                    }],
                                    aggregation_temporality: AggregationTemporality::Delta as i32,
                                    is_monotonic: true,
                                })),
                                ..Default::default()
                            }],
                            ..Default::default()
                        }],
                        ..Default::default()
                    }],
                },
                endpoint.protocol,
            ),
        };
        let started = std::time::Instant::now();
        let answer = wire::post(endpoint, &body, now_us / 1_000_000);
        let millis = started.elapsed().as_millis() as u64;
        let (ok, status, text) = match answer {
            wire::Answer::Accepted {
                status,
                rejected,
                message,
            } => (
                rejected == 0,
                Some(status),
                match (rejected, message) {
                    (0, None) => "accepted".to_string(),
                    (n, m) => format!(
                        "accepted in part: {n} rejected{}",
                        m.map(|m| format!(": {m}")).unwrap_or_default()
                    ),
                },
            ),
            wire::Answer::Retry {
                status,
                after,
                error,
            } => (
                false,
                status,
                match after {
                    Some(a) => format!("{error} (retry after {} s)", a.as_secs()),
                    None => error,
                },
            ),
            wire::Answer::Refused { status, error }
            | wire::Answer::Misconfigured { status, error } => (false, Some(status), error),
        };
        out.push(TestResult {
            signal: endpoint.signal,
            url: hookwatch_sink::redact_url(&endpoint.url),
            ok,
            status,
            answer: text,
            millis,
        });
    }
    out
}
