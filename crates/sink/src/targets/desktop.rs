//! Desktop notification through notify-send or osascript. The text goes in
//! as separate argv elements: it reaches neither a shell nor AppleScript
//! source, so a title like `$(rm -rf ~)` or `" & do shell script "` is just
//! text.

use super::{attention_lines, headline, mark, AttentionView, Kind};
use crate::text::{cut_chars, entity_escape, no_escape, one_line, Facts, Unit};
use crate::{Notification, Priority, Rendered, Severity};
use std::path::Path;

const SUMMARY_MAX: usize = 200;
const BODY_MAX: usize = 600;

/// The AppleScript run by osascript: fixed text, the notification comes in
/// as `argv` items (title, body, subtitle, and the sound name if any).
const OSASCRIPT: &str = "display notification (item 2 of argv) with title (item 1 of argv) \
                         subtitle (item 3 of argv)";
const OSASCRIPT_SOUND: &str = "display notification (item 2 of argv) with title (item 1 of argv) \
                               subtitle (item 3 of argv) sound name (item 4 of argv)";

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
    let is_osascript = program.file_name().is_some_and(|f| f == "osascript");
    let view = AttentionView::of(n);
    let (summary, body, urgency) = match &view {
        Some(v) => {
            // Notification daemons read a markup subset in the body;
            // osascript shows text as it is.
            let esc = if is_osascript {
                no_escape
            } else {
                entity_escape
            };
            let urgency = match v.attention.priority {
                Priority::Low => "low",
                Priority::Default => "normal",
                Priority::High | Priority::Urgent => "critical",
            };
            (
                cut_chars(&v.title, SUMMARY_MAX),
                attention_lines(v, BODY_MAX, Unit::Chars, esc),
                urgency,
            )
        }
        None => {
            let f = Facts::of(n);
            let body = cut_chars(&body(n, &f), BODY_MAX);
            let body = if is_osascript {
                body
            } else {
                body.replace('&', "&amp;").replace('<', "&lt;")
            };
            let urgency = match n.severity {
                Severity::Critical => "critical",
                Severity::Error | Severity::Warning => "normal",
                Severity::Info => "low",
            };
            (
                cut_chars(&format!("{}{}", mark(n), f.title), SUMMARY_MAX),
                body,
                urgency,
            )
        }
    };
    let prog = program.to_string_lossy().into_owned();
    let argv = if is_osascript {
        let sound = view.as_ref().and_then(|v| sound(v, mac_sound));
        let mut argv = vec![
            prog,
            "-e".into(),
            "on run argv".into(),
            "-e".into(),
            if sound.is_some() {
                OSASCRIPT_SOUND
            } else {
                OSASCRIPT
            }
            .into(),
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
        let mut argv = vec![prog, "-a".into(), app_name.to_string()];
        argv.extend(["-u".into(), urgency.into()]);
        if let Some(s) = view.as_ref().and_then(|v| sound(v, freedesktop_sound)) {
            argv.push(format!("--hint=string:sound-name:{s}"));
        }
        // A title starting with '-' must not be read as an option.
        argv.extend(["--".into(), summary, body]);
        argv
    };
    Ok(Rendered::Exec {
        argv,
        stdin: Vec::new(),
    })
}

/// The sound to play: the one the worker chose, else the kind's default
/// for the platform; `Some("")` from the worker means silent. Names are
/// kept to what sound themes use, so nothing odd reaches the notifier.
fn sound(v: &AttentionView, default: fn(Kind) -> Option<&'static str>) -> Option<String> {
    let name = match v.attention.sound.as_deref() {
        Some(s) => s.trim(),
        None => default(v.kind)?,
    };
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || " ._-".contains(c));
    ok.then(|| name.to_string())
}

/// Names from the freedesktop sound naming specification (played by the
/// notification daemon through the sound theme, e.g. via libcanberra).
fn freedesktop_sound(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::NeedsYou => Some("message-new-instant"),
        Kind::Done => Some("complete"),
        Kind::Idle => Some("message"),
        Kind::Failed => Some("dialog-warning"),
        Kind::Other => None,
    }
}

/// Names of macOS system sounds (/System/Library/Sounds).
fn mac_sound(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::NeedsYou => Some("Glass"),
        Kind::Done => Some("Hero"),
        Kind::Idle => Some("Pop"),
        Kind::Failed => Some("Basso"),
        Kind::Other => None,
    }
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
