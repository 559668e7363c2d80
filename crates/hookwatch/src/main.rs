//! hookwatch: records, scrubs and queries every Claude Code hook event.
//! See ARCHITECTURE.md for the crate map and the hot-path contract.

mod advice;
mod alerting;
mod cli;
mod cmd;
mod config;
mod config_edit;
mod guard;
mod hook;
mod paths;
mod payload;
mod recover;
mod timefmt;
mod worker;

fn main() {
    // Recorded prompts and tool output are private even when scrubbed.
    unsafe {
        libc::umask(0o077);
    }
    cmd::ingest::detach_self();
    // `hookwatch hook` runs on every tool call: route it before clap, config
    // layering or anything else is built (the hot path is hook.rs).
    let mut args = std::env::args_os().skip(1);
    if let (Some(a), None) = (args.next(), args.next()) {
        if a == "hook" {
            std::process::exit(hook::run());
        }
    }
    std::process::exit(cli::run());
}
