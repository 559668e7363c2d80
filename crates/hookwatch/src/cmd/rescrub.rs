//! `hookwatch rescrub`: the current scrub rules over everything already
//! stored (events, pending notifications, alert labels), so an upgrade of
//! the scrubber protects old data too. Resumable: an interrupted run picks
//! up where it stopped; a finished one does nothing until the rules change.

use anyhow::Result;

use crate::paths::Paths;

pub fn run(batch: usize, json: bool) -> Result<()> {
    let paths = Paths::resolve();
    // Spooled events first: a hook of an older release scrubbed them with
    // its own rules.
    let mut store = crate::cmd::ingest::open_fresh(&paths)?;
    let version = hookwatch_scrub::rules_version();
    let scrub = |v: &[u8]| match hookwatch_scrub::scrub(v) {
        std::borrow::Cow::Borrowed(_) => None,
        std::borrow::Cow::Owned(o) => Some(o),
    };
    let mut line = crate::progress::Progress::new();
    let mut progress = |p: hookwatch_store::rescrub::RescrubProgress| {
        line.update(|| {
            format!(
                "rescrub: {}: {} of {} rows, {} changed so far",
                p.table, p.done, p.total, p.changed
            )
        });
    };
    let report = store.rescrub(&version, &scrub, batch, None, &mut progress)?;
    line.finish();
    if json {
        let mut v = serde_json::to_value(&report)?;
        v["rules_version"] = version.into();
        println!("{}", serde_json::to_string(&v)?);
    } else if report.scanned == 0 && report.complete {
        println!("everything stored is already scrubbed with the current rules ({version})");
    } else {
        println!(
            "rescrubbed {} row(s), {} changed{}; rules {version}",
            report.scanned,
            report.changed,
            if report.resumed_after > 0 {
                format!(" (resumed after {} done earlier)", report.resumed_after)
            } else {
                String::new()
            }
        );
    }
    Ok(())
}
