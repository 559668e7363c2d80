//! One module per subcommand.

pub mod config;
pub mod demo;
pub mod guard;
pub mod ingest;
pub mod install;
pub mod query;
pub mod rules;
