//! One module per subcommand.

pub mod alerts;
pub mod config;
pub mod demo;
pub mod doctor;
pub mod export;
pub mod guard;
pub mod health;
pub mod hooktest;
pub mod ingest;
pub mod install;
pub mod newhook;
pub mod notify;
pub mod otel;
pub mod prune;
pub mod query;
pub mod recover;
pub mod replay;
pub mod rescrub;
pub mod rules;
pub mod scrub;
pub mod serve;
pub mod top;

/// The config for a command: strict, an error names the file and line.
pub fn load_config(paths: &crate::paths::Paths) -> anyhow::Result<crate::config::Config> {
    crate::config::load(&paths.config_file)
        .map(|l| l.config)
        .map_err(|e| anyhow::anyhow!(e))
}
