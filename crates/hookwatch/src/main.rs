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
mod notify;
mod paths;
mod payload;
mod progress;
mod recover;
mod retention;
mod timefmt;
mod worker;
mod wrap;

fn main() {
    let mut args = std::env::args_os().skip(1);
    let first = args.next();
    // A foreign hook run through hookwatch (`install --wrap`) goes first:
    // it must not get hookwatch's umask (or anything else) before it runs.
    if first.as_deref() == Some(std::ffi::OsStr::new("wrap")) {
        if let (Some(dash), Some(command), None) = (args.next(), args.next(), args.next()) {
            if dash == "--" {
                std::process::exit(wrap::run(&command.to_string_lossy()));
            }
        }
    }
    // Recorded prompts and tool output are private even when scrubbed.
    unsafe {
        libc::umask(0o077);
    }
    // `hookwatch hook` runs on every tool call: route it before clap, config
    // layering or anything else is built (the hot path is hook.rs).
    if first.as_deref() == Some(std::ffi::OsStr::new("hook")) && args.next().is_none() {
        std::process::exit(hook::run());
    }
    // Not before the hook's route: no hook is ever a detached child, and
    // the hook should not pay even a getenv for it.
    cmd::ingest::detach_self();
    std::process::exit(cli::run());
}
