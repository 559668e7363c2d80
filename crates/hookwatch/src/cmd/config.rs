//! `hookwatch config`: the effective configuration and where it came from.

use crate::cli::ConfigAction;
use crate::config::{load, DEFAULT_CONFIG};
use crate::paths::Paths;
use anyhow::{anyhow, Result};
use serde_json::json;

pub fn run(action: Option<ConfigAction>, json: bool) -> Result<()> {
    if let Some(ConfigAction::Default) = action {
        print!("{DEFAULT_CONFIG}");
        return Ok(());
    }
    let paths = Paths::resolve();
    let loaded = load(&paths.config_file).map_err(|e| anyhow!(e))?;
    // The routing tree, matchers, durations and target names are checked
    // here, so a mistake shows before an alert is lost to it.
    if loaded.config.alerts.active() {
        loaded
            .config
            .alerts
            .check()
            .map_err(|e| anyhow!("{}: {e}", paths.config_file.display()))?;
    }
    // [notify]: durations, quiet hours, time zone, priorities, target names.
    crate::notify::Notifier::load(&loaded.config.notify, &loaded.config.alerts)
        .map_err(|e| anyhow!("{}: {e}", paths.config_file.display()))?;
    let pending = hookwatch_store::spool::count(&paths.spool());
    if json {
        let v = json!({
            "config_file": paths.config_file,
            "config_file_exists": loaded.file_exists,
            "paths_from": paths.source,
            "data_dir": paths.data_dir,
            "database": paths.db(),
            "spool": paths.spool(),
            "spooled_events": pending,
            "config": loaded.config,
            "origins": loaded.origins(&paths.config_file),
        });
        println!("{v}");
        return Ok(());
    }
    println!("paths from:   {}", paths.source);
    println!(
        "config file:  {}{}",
        paths.config_file.display(),
        if loaded.file_exists {
            ""
        } else {
            " (absent: defaults; `hookwatch config default` prints a template)"
        }
    );
    println!("data dir:     {}", paths.data_dir.display());
    println!("database:     {}", paths.db().display());
    println!(
        "spool:        {} ({pending} event(s) waiting)",
        paths.spool().display()
    );
    println!();
    for o in &loaded.origins(&paths.config_file) {
        println!("{} = {}    # from {}", o.key, o.value, o.source);
    }
    Ok(())
}
