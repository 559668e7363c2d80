//! docs/events.md is generated from the registry; this test fails when they
//! drift. Regenerate with `UPDATE_DOCS=1 cargo test -p hookwatch-event --test docs`.

use hookwatch_event::{InstallPolicy, EVENTS};

fn render() -> String {
    let mut s = String::from(
        "# Which events `hookwatch install` records\n\n\
         Generated from `crates/event/src/registry.rs` (do not edit by hand; \
         `UPDATE_DOCS=1 cargo test -p hookwatch-event --test docs`).\n\n\
         Every recorded event runs `hookwatch hook`, which prints nothing and exits 0, so it never \
         makes a decision. *sync* entries are always synchronous; *sync or async* entries get \
         `\"async\": true` with `hookwatch install --async`. Async entries are not awaited by \
         Claude Code; hookwatch ignores SIGTERM for its bounded work, and the end-to-end test \
         `with_async_recording_no_event_is_lost` shows no event is lost either way.\n\n\
         | event | matcher | recorded | why |\n|---|---|---|---|\n",
    );
    for e in EVENTS {
        let rec = match e.policy {
            InstallPolicy::Record { may_async: true } => "sync or async",
            InstallPolicy::Record { may_async: false } => "sync",
            InstallPolicy::Skip => "**no**",
        };
        s.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            e.name,
            e.matcher.unwrap_or("-"),
            rec,
            e.why
        ));
    }
    s
}

#[test]
fn docs_events_md_matches_the_registry() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/events.md");
    let want = render();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(path, &want).unwrap();
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "docs/events.md is stale: run UPDATE_DOCS=1 cargo test -p hookwatch-event --test docs"
    );
}
