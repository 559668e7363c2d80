//! Alert decisions as pure functions of (labels, configuration, stored
//! state, now), after Prometheus Alertmanager's model: a routing tree
//! (first match wins unless `continue`), grouping timers, dedup by
//! fingerprint, silences, inhibition and per-target rate limits. No I/O
//! here: the worker in the `hookwatch` crate feeds these from the store,
//! and tests feed them a fixed clock.

pub mod config;
pub mod duration;
pub mod labels;
pub mod matcher;
pub mod ratelimit;
pub mod route;
pub mod silence;

pub use config::{AlertsConfig, Delivery, ExpectedPolicy, InhibitRule};
pub use labels::{EventFacts, Labels};
pub use matcher::{Matcher, Matchers};
pub use route::{Matched, Route};
pub use silence::Silence;

/// Microseconds since the Unix epoch: the store's time unit.
pub type Micros = i64;
