//! hookwatch protects itself: the agent must not grant itself exceptions,
//! uninstall the hook, or edit hookwatch's own files.

use super::{is_within, Cx};
use crate::command::Cmd;
use crate::files;

/// `hookwatch guard allow[-once] ...` / `hookwatch uninstall`, any wrapper.
pub fn user_only_command(cmd: &Cmd) -> bool {
    let base = cmd.path.rsplit('/').next().unwrap_or("");
    if base != "hookwatch" && cmd.program != "hookwatch" {
        return false;
    }
    let mut pos = cmd
        .args
        .iter()
        .filter(|a| !a.text.starts_with('-'))
        .map(|a| a.text.as_str());
    match pos.next() {
        Some("uninstall") => true,
        Some("guard") => matches!(pos.next(), Some("allow" | "allow-once")),
        _ => false,
    }
}

/// Fallback for text that cannot be parsed: a plain substring scan, so
/// padding a command past the parser's limits does not bypass this policy.
pub fn raw_mentions_user_only(src: &str) -> bool {
    src.contains("hookwatch")
        && (src.contains("allow-once")
            || src.contains("uninstall")
            || (src.contains("guard") && src.contains("allow")))
}

pub fn own_dir<'a>(p: &str, cx: &'a Cx) -> Option<&'a str> {
    cx.own_dirs
        .iter()
        .find(|d| is_within(p, d))
        .map(String::as_str)
}

pub fn check_cmd(cmd: &Cmd, cx: &Cx) -> Option<String> {
    if user_only_command(cmd) {
        return Some(format!(
            "`{}` is a hookwatch command only the user may run: it changes what the guard allows or removes it. Ask the user to run it themselves if it is really needed.",
            cmd.display
        ));
    }
    if cx.own_dirs.is_empty() {
        return None;
    }
    for p in files::write_targets(cmd) {
        if let Some(d) = own_dir(&p, cx) {
            return Some(own_dir_reason(&p, d));
        }
    }
    if cmd.program == "rm" || cmd.program == "mv" {
        for a in cmd
            .args
            .iter()
            .filter(|a| a.known && !a.text.starts_with('-'))
        {
            let Some(p) = crate::policies::rm::deletion_path(a, cmd.cwd.as_deref()) else {
                continue;
            };
            // Parents of the dirs (`rm -rf ~`) are rm-root's business.
            if let Some(d) = own_dir(&p, cx) {
                return Some(own_dir_reason(&p, d));
            }
        }
    }
    None
}

pub fn own_dir_reason(p: &str, dir: &str) -> String {
    format!(
        "{p} is inside hookwatch's own configuration/data directory ({dir}); only the user may change it. Ask the user to make this change."
    )
}
