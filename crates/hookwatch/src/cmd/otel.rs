//! `hookwatch otel`: send one record of each signal to the collector and
//! show its answers (`test`), and how far export has come (`status`).

use crate::cmd::ingest::open_fresh;
use crate::cmd::load_config;
use crate::paths::Paths;
use anyhow::{bail, Result};
use serde_json::json;

fn settings(paths: &Paths) -> Result<hookwatch_otel::Settings> {
    let config = load_config(paths)?;
    match config.otel.resolve(&|k| std::env::var(k).ok()) {
        Ok(Some(s)) => Ok(s),
        Ok(None) => bail!(
            "OpenTelemetry export is off: add to {}\n\n[otel]\nendpoint = \"http://127.0.0.1:4318\"   # your collector's OTLP/HTTP address\n\n(docs/otel.md has the rest)",
            paths.config_file.display()
        ),
        Err(e) => bail!("{e} (in {})", paths.config_file.display()),
    }
}

/// Exit 1 when a signal was not accepted.
pub fn test(json_out: bool) -> Result<()> {
    let paths = Paths::resolve();
    let s = settings(&paths)?;
    let results =
        hookwatch_otel::send_test(&s, crate::timefmt::now_us(), &|k| std::env::var(k).ok());
    if json_out {
        for r in &results {
            println!("{}", serde_json::to_string(r)?);
        }
    } else {
        for r in &results {
            println!(
                "{:<8} {} {:<6} {} ms  {}",
                r.signal.name(),
                if r.ok { "ok  " } else { "FAIL" },
                r.status.map_or("-".into(), |s| s.to_string()),
                r.millis,
                r.url
            );
            println!("         {}", r.answer);
        }
    }
    if results.iter().any(|r| !r.ok) {
        bail!("the collector did not accept every signal (see above)");
    }
    Ok(())
}

pub fn status(json_out: bool) -> Result<()> {
    let paths = Paths::resolve();
    let config = load_config(&paths)?;
    let resolved = config.otel.resolve(&|k| std::env::var(k).ok());
    let store = open_fresh(&paths)?;
    let states = store.export_states()?;
    let settings = resolved.as_ref().ok().and_then(|s| s.as_ref());
    let config_error = resolved.as_ref().err();
    if json_out {
        let signals: Vec<_> = states
            .iter()
            .map(|st| {
                let endpoint = settings.and_then(|s| {
                    hookwatch_otel::Signal::ALL
                        .into_iter()
                        .find(|x| x.name() == st.signal)
                        .and_then(|sig| s.endpoint(sig))
                });
                json!({
                    "signal": st.signal,
                    "exported": endpoint.is_some(),
                    "url": endpoint.map(|e| hookwatch_sink::redact_url(&e.url)),
                    "state": st,
                })
            })
            .collect();
        println!(
            "{}",
            json!({
                "enabled": settings.is_some(),
                "config_error": config_error,
                "temporality": settings.map(|s| s.temporality),
                "signals": signals,
            })
        );
        return Ok(());
    }
    match (settings, config_error) {
        (_, Some(e)) => println!("OpenTelemetry export: off, the config is wrong: {e}"),
        (None, None) => println!(
            "OpenTelemetry export: off (add [otel] endpoint = \"http://HOST:4318\" to {})",
            paths.config_file.display()
        ),
        (Some(s), None) => println!(
            "OpenTelemetry export: on, metrics {}, at most {} events waiting per signal",
            match s.temporality {
                hookwatch_otel::config::Temporality::Cumulative => "cumulative",
                hookwatch_otel::config::Temporality::Delta => "delta",
            },
            s.max_queue
        ),
    }
    let ago = |t: Option<i64>| t.map_or("never".to_string(), crate::timefmt::rfc3339);
    for st in &states {
        let endpoint = settings.and_then(|s| {
            hookwatch_otel::Signal::ALL
                .into_iter()
                .find(|x| x.name() == st.signal)
                .and_then(|sig| s.endpoint(sig))
        });
        let Some(endpoint) = endpoint else {
            println!("\n{}: not exported", st.signal);
            continue;
        };
        println!(
            "\n{} → {}",
            st.signal,
            hookwatch_sink::redact_url(&endpoint.url)
        );
        println!(
            "  waiting      {} events{}",
            st.lag,
            st.oldest_waiting_us
                .map(|t| format!(" (oldest {})", crate::timefmt::rfc3339(t)))
                .unwrap_or_default()
        );
        println!("  last success {}", ago(st.last_ok_us));
        println!(
            "  sent         {} requests, {} items; {} refused by the collector, {} dropped over max_queue",
            st.batches, st.items, st.rejected, st.dropped
        );
        if let Some(e) = &st.last_error {
            println!(
                "  last error   {} at {}: {}",
                st.last_status.map_or("no answer".into(), |s| s.to_string()),
                ago(st.last_error_us),
                crate::cmd::query::safe(e)
            );
        }
        if let Some(next) = st.next_attempt_us {
            println!(
                "  retrying     attempt {} at {}",
                st.attempts + 1,
                crate::timefmt::rfc3339(next)
            );
        }
    }
    Ok(())
}
