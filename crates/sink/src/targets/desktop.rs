//! Desktop notification through notify-send or osascript. The text goes in
//! as separate argv elements: it reaches neither a shell nor AppleScript
//! source, so a title like `$(rm -rf ~)` or `" & do shell script "` is just
//! text.

use super::headline;
use crate::text::{cut_chars, one_line, Facts};
use crate::{Notification, Rendered, Severity, Status};
use std::path::Path;

const SUMMARY_MAX: usize = 200;
const BODY_MAX: usize = 600;

pub(crate) fn render(
    program: Option<&Path>,
    app_name: &str,
    n: &Notification,
) -> Result<Rendered, String> {
    let Some(program) = program else {
        return Err(if cfg!(target_os = "macos") {
            "osascript not found on PATH: desktop notifications need macOS's osascript".to_string()
        } else {
            "notify-send not found on PATH: install libnotify-bin (Debian/Ubuntu) or libnotify \
             (Fedora/Arch), or remove the desktop target"
                .to_string()
        });
    };
    let f = Facts::of(n);
    let summary = cut_chars(
        &match (n.status, n.test) {
            (_, true) => format!("[test] {}", f.title),
            (Status::Resolved, _) => format!("Resolved: {}", f.title),
            _ => f.title.clone(),
        },
        SUMMARY_MAX,
    );
    let body = cut_chars(&body(n, &f), BODY_MAX);
    let prog = program.to_string_lossy().into_owned();
    let is_osascript = program.file_name().is_some_and(|f| f == "osascript");
    let argv = if is_osascript {
        vec![
            prog,
            "-e".into(),
            "on run argv".into(),
            "-e".into(),
            "display notification (item 2 of argv) with title (item 1 of argv) subtitle (item 3 of argv)".into(),
            "-e".into(),
            "end run".into(),
            "--".into(),
            summary,
            body,
            app_name.to_string(),
        ]
    } else {
        let urgency = match n.severity {
            Severity::Critical => "critical",
            Severity::Error | Severity::Warning => "normal",
            Severity::Info => "low",
        };
        vec![
            prog,
            "-a".into(),
            app_name.to_string(),
            "-u".into(),
            urgency.into(),
            // A title starting with '-' must not be read as an option.
            "--".into(),
            summary,
            // Notification daemons read a markup subset in the body.
            body.replace('&', "&amp;").replace('<', "&lt;"),
        ]
    };
    Ok(Rendered::Exec {
        argv,
        stdin: Vec::new(),
    })
}

fn body(n: &Notification, f: &Facts) -> String {
    let mut lines = Vec::new();
    if let Some(p) = f.project {
        lines.push(one_line(p));
    }
    if let Some(a) = f.newest {
        lines.push(headline(a));
        if let Some(c) = &a.command {
            lines.push(cut_chars(&one_line(c), 120));
        }
        if let Some(e) = &a.error {
            lines.push(cut_chars(&one_line(e), 200));
        }
        let more = n.alerts.len() - 1 + n.omitted as usize;
        if more > 0 {
            lines.push(format!("+{more} more"));
        }
        lines.push(a.show_hint());
    }
    lines.join("\n")
}
