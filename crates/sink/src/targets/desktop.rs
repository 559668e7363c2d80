//! Desktop notification through notify-send or osascript. The text goes in
//! as separate argv elements: it reaches neither a shell nor AppleScript
//! source, so a title like `$(rm -rf ~)` or `" & do shell script "` is just
//! text.

use super::headline;
use crate::text::{cut_chars, one_line, Facts};
use crate::{Notification, Priority, Rendered, Severity, Status};
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
    let body = match &n.attention {
        Some(a) => super::attention_text(n, a, BODY_MAX * 4),
        None => body(n, &f),
    };
    let body = cut_chars(&body, BODY_MAX);
    let sound = n
        .attention
        .as_ref()
        .and_then(|a| sound(a, is_osascript_name(program)));
    let prog = program.to_string_lossy().into_owned();
    let is_osascript = is_osascript_name(program);
    let argv = if is_osascript {
        // The texts (and the sound name) are argv items, never AppleScript
        // source.
        let display = if sound.is_some() {
            "display notification (item 2 of argv) with title (item 1 of argv) subtitle (item 3 of argv) sound name (item 4 of argv)"
        } else {
            "display notification (item 2 of argv) with title (item 1 of argv) subtitle (item 3 of argv)"
        };
        let mut argv = vec![
            prog,
            "-e".into(),
            "on run argv".into(),
            "-e".into(),
            display.into(),
            "-e".into(),
            "end run".into(),
            "--".into(),
            summary,
            body,
            app_name.to_string(),
        ];
        argv.extend(sound);
        argv
    } else {
        let urgency = match (&n.attention, n.severity) {
            (Some(a), _) => match a.priority {
                Priority::Low => "low",
                Priority::Default => "normal",
                Priority::High | Priority::Urgent => "critical",
            },
            (None, Severity::Critical) => "critical",
            (None, Severity::Error | Severity::Warning) => "normal",
            (None, Severity::Info) => "low",
        };
        let mut argv = vec![
            prog,
            "-a".into(),
            app_name.to_string(),
            "-u".into(),
            urgency.into(),
        ];
        if let Some(s) = sound {
            argv.push(format!("--hint=string:sound-name:{s}"));
        }
        argv.extend([
            // A title starting with '-' must not be read as an option.
            "--".into(),
            summary,
            // Notification daemons read a markup subset in the body.
            body.replace('&', "&amp;").replace('<', "&lt;"),
        ]);
        argv
    };
    Ok(Rendered::Exec {
        argv,
        stdin: Vec::new(),
    })
}

fn is_osascript_name(program: &Path) -> bool {
    program.file_name().is_some_and(|f| f == "osascript")
}

/// The sound to ask for: the configured one, or the kind's default for
/// the platform (freedesktop sound theme names; macOS system sounds).
/// `Some("")` in the config means silence. Only names of letters, digits,
/// '-', '_' and '.' pass: it becomes part of a notify-send hint.
fn sound(a: &crate::Attention, macos: bool) -> Option<String> {
    let name = match a.sound.as_deref() {
        Some(s) => s.to_string(),
        None => match (a.kind.as_str(), macos) {
            ("needs_you", false) => "message-new-instant",
            ("done", false) => "complete",
            ("idle", false) => "message",
            ("failed", false) => "dialog-warning",
            ("needs_you", true) => "Glass",
            ("done", true) => "Hero",
            ("idle", true) => "Pop",
            ("failed", true) => "Basso",
            _ => return None,
        }
        .to_string(),
    };
    (!name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)))
    .then_some(name)
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
