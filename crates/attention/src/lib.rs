//! Attention notifications: telling a person that Claude is done, needs
//! them, is idle, or failed. Pure parts only; the worker (crates/hookwatch,
//! `attention/`) reads the store, asks these functions, and puts what they
//! decide into the alert outbox, which delivers it.
//!
//! - [`kind`]: which event is which kind, and the documented table of every
//!   Notification type Claude Code 2.1.330 sends;
//! - [`config`]: `[notify]` in config.toml;
//! - [`decide`]: noise control (minimum turn, cooldown, "done" right after
//!   "needs you", quiet hours, headless runs);
//! - [`text`]: what people read (markdown stripped, excerpts, session names,
//!   durations).

pub mod config;
pub mod decide;
pub mod kind;
pub mod quiet;
pub mod text;

pub use config::NotifyConfig;
pub use decide::{Candidate, Decision, History};
pub use kind::{classify, Kind, Trigger};
