//! Metrics: counters and histograms counted from the exported events (tool
//! calls and failures, StopFailures, guard decisions, advice, hook and tool
//! durations) and from time windows of the outbox and recovery tables
//! (alerts sent or dead, recovery decisions and outcomes).
//!
//! Cumulative (default): the running totals live in the store and move with
//! the metrics cursor, so every worker process continues the same series
//! from the same start time. Delta: each request holds what happened since
//! the previous one.

use crate::common::{self, kv, Facts};
use crate::config::Temporality;
use crate::resource::Resources;
use crate::Settings;
use hookwatch_store::export::{AlertCount, MetricTotal, RecoverCount};
use hookwatch_store::EventRow;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value;
use opentelemetry_proto::tonic::metrics::v1::{
    metric, number_data_point, AggregationTemporality, Histogram, HistogramDataPoint, Metric,
    NumberDataPoint, ResourceMetrics, ScopeMetrics, Sum,
};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Sum,
    Histogram,
}

struct Def {
    name: &'static str,
    kind: Kind,
    unit: &'static str,
    description: &'static str,
}

const DEFS: &[Def] = &[
    Def {
        name: "hookwatch.tool.calls",
        kind: Kind::Sum,
        unit: "{call}",
        description: "Tool calls (PostToolUse and PostToolUseFailure)",
    },
    Def {
        name: "hookwatch.tool.failures",
        kind: Kind::Sum,
        unit: "{failure}",
        description: "Failed tool calls by failure class",
    },
    Def {
        name: "hookwatch.tool.duration",
        kind: Kind::Histogram,
        unit: "ms",
        description: "Tool call durations Claude Code reported",
    },
    Def {
        name: "hookwatch.stop_failures",
        kind: Kind::Sum,
        unit: "{turn}",
        description: "Turns stopped by an API error, by error type",
    },
    Def {
        name: "hookwatch.guard.decisions",
        kind: Kind::Sum,
        unit: "{decision}",
        description: "Guard decisions by policy and decision",
    },
    Def {
        name: "hookwatch.advice.given",
        kind: Kind::Sum,
        unit: "{advice}",
        description: "Failures answered with advice to the agent",
    },
    Def {
        name: "hookwatch.hook.duration",
        kind: Kind::Histogram,
        unit: "ms",
        description: "Durations of hooks run through `hookwatch wrap`",
    },
    Def {
        name: "hookwatch.alerts",
        kind: Kind::Sum,
        unit: "{notification}",
        description: "Alert and notification deliveries sent or dead-lettered",
    },
    Def {
        name: "hookwatch.recovery.decisions",
        kind: Kind::Sum,
        unit: "{decision}",
        description: "Recovery decisions about StopFailures",
    },
    Def {
        name: "hookwatch.recovery.outcomes",
        kind: Kind::Sum,
        unit: "{run}",
        description: "Finished recovery jobs by outcome",
    },
];

/// Bucket bounds of the duration histograms, in ms.
pub const BOUNDS_MS: &[f64] = &[
    5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0, 10000.0, 30000.0, 60000.0,
    120000.0, 300000.0,
];

fn def(name: &str) -> Option<&'static Def> {
    DEFS.iter().find(|d| d.name == name)
}

#[derive(Debug, Clone, Default, PartialEq)]
struct Acc {
    count: i64,
    sum: f64,
    min: Option<f64>,
    max: Option<f64>,
    buckets: Vec<u64>,
}

impl Acc {
    fn observe(&mut self, v: f64) {
        self.count += 1;
        self.sum += v;
        self.min = Some(self.min.map_or(v, |m| m.min(v)));
        self.max = Some(self.max.map_or(v, |m| m.max(v)));
        if self.buckets.is_empty() {
            self.buckets = vec![0; BOUNDS_MS.len() + 1];
        }
        let i = BOUNDS_MS
            .iter()
            .position(|&b| v <= b)
            .unwrap_or(BOUNDS_MS.len());
        self.buckets[i] += 1;
    }

    fn merge(&mut self, o: &Acc) {
        self.count += o.count;
        self.sum += o.sum;
        self.min = match (self.min, o.min) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.max = match (self.max, o.max) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        if !o.buckets.is_empty() {
            if self.buckets.len() < o.buckets.len() {
                self.buckets.resize(o.buckets.len(), 0);
            }
            for (a, b) in self.buckets.iter_mut().zip(&o.buckets) {
                *a += b;
            }
        }
    }
}

/// (metric, project, attributes as canonical JSON)
type Key = (String, String, String);

/// What a batch of events and a time window add to each series.
#[derive(Debug, Default, Clone)]
pub struct Increments {
    map: BTreeMap<Key, Acc>,
}

impl Increments {
    fn key(
        &self,
        metric: &str,
        project: &str,
        attrs: &[(&str, &str)],
        keep: &dyn Fn(&str) -> bool,
    ) -> Key {
        let m: BTreeMap<&str, &str> = attrs
            .iter()
            .filter(|(k, v)| !v.is_empty() && keep(k))
            .copied()
            .collect();
        (
            metric.to_string(),
            project.to_string(),
            serde_json::to_string(&m).unwrap_or_default(),
        )
    }

    fn add(
        &mut self,
        metric: &str,
        project: &str,
        attrs: &[(&str, &str)],
        n: i64,
        keep: &dyn Fn(&str) -> bool,
    ) {
        let k = self.key(metric, project, attrs, keep);
        self.map.entry(k).or_default().count += n;
    }

    fn observe(
        &mut self,
        metric: &str,
        project: &str,
        attrs: &[(&str, &str)],
        v: f64,
        keep: &dyn Fn(&str) -> bool,
    ) {
        let k = self.key(metric, project, attrs, keep);
        self.map.entry(k).or_default().observe(v);
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Count a batch of events.
    pub fn events(&mut self, events: &[EventRow], keep: &dyn Fn(&str) -> bool) {
        for row in events {
            let f = Facts::new(row);
            let p = f.project();
            let tool = row.tool_name.as_deref().unwrap_or("");
            match row.event.as_str() {
                "PostToolUse" | "PostToolUseFailure" => {
                    let mcp = row.mcp_server.as_deref().unwrap_or("");
                    self.add(
                        "hookwatch.tool.calls",
                        p,
                        &[("gen_ai.tool.name", tool), ("hookwatch.mcp_server", mcp)],
                        1,
                        keep,
                    );
                    if f.is_failure() {
                        let class = row.class.as_deref().unwrap_or("other");
                        let expected = if row.expected == Some(true) {
                            "true"
                        } else {
                            "false"
                        };
                        self.add(
                            "hookwatch.tool.failures",
                            p,
                            &[
                                ("gen_ai.tool.name", tool),
                                ("error.type", class),
                                ("hookwatch.failure.expected", expected),
                            ],
                            1,
                            keep,
                        );
                        if f.advice_given() {
                            self.add(
                                "hookwatch.advice.given",
                                p,
                                &[("error.type", class)],
                                1,
                                keep,
                            );
                        }
                    }
                    if let Some(d) = row.duration_ms.filter(|d| *d >= 0) {
                        self.observe(
                            "hookwatch.tool.duration",
                            p,
                            &[("gen_ai.tool.name", tool)],
                            d as f64,
                            keep,
                        );
                    }
                }
                "StopFailure" => {
                    let error = row.error.as_deref().unwrap_or("unknown");
                    self.add(
                        "hookwatch.stop_failures",
                        p,
                        &[("error.type", error)],
                        1,
                        keep,
                    );
                }
                "HookRun" => {
                    let hook = f.payload.get("hook");
                    let get = |k: &str| hook.and_then(|h| h.get(k));
                    if let Some(ms) = get("duration_ms").and_then(|v| v.as_f64()) {
                        let event = get("event").and_then(|v| v.as_str()).unwrap_or("");
                        let command =
                            common::cap(get("command").and_then(|v| v.as_str()).unwrap_or(""), 80);
                        self.observe(
                            "hookwatch.hook.duration",
                            p,
                            &[
                                ("hookwatch.hook.event", event),
                                ("hookwatch.hook.command", &command),
                            ],
                            ms,
                            keep,
                        );
                    }
                }
                _ => {}
            }
            if let Some(decision) = row.guard_decision.as_deref() {
                let policy = f.guard_policy().unwrap_or("");
                self.add(
                    "hookwatch.guard.decisions",
                    p,
                    &[
                        ("hookwatch.guard.policy", policy),
                        ("hookwatch.guard.decision", decision),
                    ],
                    1,
                    keep,
                );
            }
        }
    }

    pub fn alerts(&mut self, counts: &[AlertCount], keep: &dyn Fn(&str) -> bool) {
        for c in counts {
            self.add(
                "hookwatch.alerts",
                "",
                &[
                    ("hookwatch.alert.target", &c.target),
                    ("hookwatch.alert.state", &c.state),
                    ("hookwatch.alert.kind", &c.kind),
                ],
                c.count,
                keep,
            );
        }
    }

    pub fn recovery(
        &mut self,
        decisions: &[RecoverCount],
        outcomes: &[RecoverCount],
        keep: &dyn Fn(&str) -> bool,
    ) {
        for (metric, list) in [
            ("hookwatch.recovery.decisions", decisions),
            ("hookwatch.recovery.outcomes", outcomes),
        ] {
            for c in list {
                self.add(
                    metric,
                    "",
                    &[
                        ("hookwatch.recovery.state", &c.state),
                        ("hookwatch.recovery.kind", &c.kind),
                    ],
                    c.count,
                    keep,
                );
            }
        }
    }
}

/// One metric's data points: sums, or histograms.
type Points = (Vec<NumberDataPoint>, Vec<HistogramDataPoint>);

/// Times of one metrics request.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// Cumulative series start here (when export began).
    pub started_us: i64,
    /// Delta: the end of the previous window.
    pub from_us: i64,
    pub to_us: i64,
}

/// The request, its number of data points, and (cumulative) the series'
/// new totals to store when the collector accepts it.
pub fn build(
    inc: &Increments,
    totals: &[MetricTotal],
    settings: &Settings,
    resources: &mut Resources,
    window: Window,
) -> (ExportMetricsServiceRequest, usize, Vec<MetricTotal>) {
    let keep = |k: &str| settings.keeps_attribute(k);
    let (points, new_totals, start) = match settings.temporality {
        Temporality::Delta => (inc.map.clone(), Vec::new(), window.from_us),
        Temporality::Cumulative => {
            let mut all: BTreeMap<Key, Acc> = totals
                .iter()
                .map(|t| {
                    (
                        (t.metric.clone(), t.project.clone(), t.attrs.clone()),
                        Acc {
                            count: t.count,
                            sum: t.sum,
                            min: t.min,
                            max: t.max,
                            buckets: t.buckets.clone(),
                        },
                    )
                })
                .collect();
            for (k, v) in &inc.map {
                all.entry(k.clone()).or_default().merge(v);
            }
            let new_totals = all
                .iter()
                .filter(|(k, _)| inc.map.contains_key(*k))
                .map(|((metric, project, attrs), a)| MetricTotal {
                    metric: metric.clone(),
                    project: project.clone(),
                    attrs: attrs.clone(),
                    count: a.count,
                    sum: a.sum,
                    min: a.min,
                    max: a.max,
                    buckets: a.buckets.clone(),
                })
                .collect();
            (all, new_totals, window.started_us)
        }
    };
    let temporality = match settings.temporality {
        Temporality::Delta => AggregationTemporality::Delta,
        Temporality::Cumulative => AggregationTemporality::Cumulative,
    } as i32;
    // project → metric → points
    let mut tree: BTreeMap<&str, BTreeMap<&str, Points>> = BTreeMap::new();
    let mut n = 0;
    for ((metric, project, attrs), a) in &points {
        let Some(d) = def(metric) else { continue };
        let attrs: BTreeMap<String, String> = serde_json::from_str(attrs).unwrap_or_default();
        let attributes = attrs
            .iter()
            .filter(|(k, _)| keep(k))
            .map(|(k, v)| kv(k, any_value::Value::StringValue(v.clone())))
            .collect();
        let slot = tree.entry(project).or_default().entry(d.name).or_default();
        let (start_ns, time_ns) = (
            (start.max(0) as u64) * 1000,
            (window.to_us.max(0) as u64) * 1000,
        );
        match d.kind {
            Kind::Sum => slot.0.push(NumberDataPoint {
                attributes,
                start_time_unix_nano: start_ns,
                time_unix_nano: time_ns,
                value: Some(number_data_point::Value::AsInt(a.count)),
                ..Default::default()
            }),
            Kind::Histogram => {
                let mut buckets = a.buckets.clone();
                buckets.resize(BOUNDS_MS.len() + 1, 0);
                slot.1.push(HistogramDataPoint {
                    attributes,
                    start_time_unix_nano: start_ns,
                    time_unix_nano: time_ns,
                    count: a.count.max(0) as u64,
                    sum: Some(a.sum),
                    bucket_counts: buckets,
                    explicit_bounds: BOUNDS_MS.to_vec(),
                    min: a.min,
                    max: a.max,
                    ..Default::default()
                })
            }
        }
        n += 1;
    }
    let resource_metrics = tree
        .into_iter()
        .map(|(project, metrics)| ResourceMetrics {
            resource: Some(common::resource(resources.of(project), &keep)),
            scope_metrics: vec![ScopeMetrics {
                scope: Some(common::scope()),
                metrics: metrics
                    .into_iter()
                    .filter_map(|(name, (sums, hists))| {
                        let d = def(name)?;
                        Some(Metric {
                            name: d.name.into(),
                            description: d.description.into(),
                            unit: d.unit.into(),
                            data: Some(match d.kind {
                                Kind::Sum => metric::Data::Sum(Sum {
                                    data_points: sums,
                                    aggregation_temporality: temporality,
                                    is_monotonic: true,
                                }),
                                Kind::Histogram => metric::Data::Histogram(Histogram {
                                    data_points: hists,
                                    aggregation_temporality: temporality,
                                }),
                            }),
                            ..Default::default()
                        })
                    })
                    .collect(),
                ..Default::default()
            }],
            ..Default::default()
        })
        .collect();
    (
        ExportMetricsServiceRequest { resource_metrics },
        n,
        new_totals,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_and_merge() {
        let mut a = Acc::default();
        for v in [1.0, 5.0, 6.0, 400000.0] {
            a.observe(v);
        }
        assert_eq!(a.count, 4);
        assert_eq!(a.buckets[0], 2);
        assert_eq!(a.buckets[1], 1);
        assert_eq!(a.buckets[BOUNDS_MS.len()], 1);
        let mut b = Acc::default();
        b.observe(2.0);
        b.merge(&a);
        assert_eq!(b.count, 5);
        assert_eq!(b.min, Some(1.0));
        assert_eq!(b.max, Some(400000.0));
        assert_eq!(b.buckets[0], 3);
    }
}
