//! One module per target format. Each renders from a scrubbed notification
//! and keeps within its target's documented limits by cutting text, never
//! by failing: an alert that arrives shortened beats one that never does.

pub(crate) mod command;
pub(crate) mod desktop;
pub(crate) mod discord;
pub(crate) mod ntfy;
pub(crate) mod pagerduty;
pub(crate) mod sentry;
pub(crate) mod slack;
pub(crate) mod telegram;
pub(crate) mod webhook;

use crate::text::{
    class_of, clean_text, cut_bytes, escape_within, one_line, short_session, tool_of, Escape,
    Facts, Unit,
};
use crate::{AlertItem, Attention, Notification, Status};

/// "PostToolUseFailure · Bash · missing_dependency · 3×".
pub(crate) fn headline(a: &AlertItem) -> String {
    let mut parts = Vec::new();
    if !a.event.is_empty() {
        parts.push(one_line(&a.event));
    }
    if let Some(t) = tool_of(a) {
        parts.push(one_line(&t));
    }
    if let Some(c) = class_of(a) {
        parts.push(one_line(c));
    }
    if a.count > 1 {
        parts.push(format!("{}×", a.count));
    }
    if parts.is_empty() {
        parts.push("alert".to_string());
    }
    parts.join(" · ")
}

/// "Project: p · Session: abcd1234 · Route: r" (what is known of it).
pub(crate) fn where_line(n: &Notification, f: &Facts) -> String {
    let mut parts = Vec::new();
    if let Some(p) = f.project {
        parts.push(format!("Project: {}", one_line(p)));
    }
    if let Some(s) = f.session {
        parts.push(format!("Session: {}", short_session(s)));
    }
    if f.total > 1 {
        parts.push(format!("Count: {}", f.total));
    }
    if !n.route.is_empty() {
        parts.push(format!("Route: {}", one_line(&n.route)));
    }
    parts.join(" · ")
}

/// Plain text for targets that take text (ntfy body, desktop body, Sentry
/// message): the context first and every `hookwatch show` hint kept; the
/// error excerpts share what room is left.
pub(crate) fn plain_text(
    n: &Notification,
    with_title: bool,
    max_bytes: usize,
    max_alerts: usize,
) -> String {
    let f = Facts::of(n);
    let mut head = String::new();
    if with_title {
        head.push_str(&f.title);
        head.push('\n');
    }
    if n.status == Status::Resolved {
        head.push_str("Resolved.\n");
    }
    let w = where_line(n, &f);
    if !w.is_empty() {
        head.push_str(&w);
        head.push('\n');
    }
    let shown: Vec<&AlertItem> = n.alerts.iter().rev().take(max_alerts).collect();
    let hidden = n.alerts.len() - shown.len() + n.omitted as usize;
    let blocks: Vec<(String, Option<&str>, String)> = shown
        .iter()
        .rev()
        .map(|a| {
            let mut top = headline(a);
            top.push('\n');
            if let Some(c) = &a.command {
                top.push_str("$ ");
                top.push_str(&cut_bytes(&one_line(c), 400));
                top.push('\n');
            }
            (top, a.error.as_deref(), format!("→ {}\n", a.show_hint()))
        })
        .collect();
    let tail = if hidden > 0 {
        format!("(+{hidden} more not shown)\n")
    } else {
        String::new()
    };
    let fixed = head.len()
        + tail.len()
        + blocks
            .iter()
            .map(|(t, _, h)| t.len() + h.len() + 1)
            .sum::<usize>();
    let with_error = blocks.iter().filter(|b| b.1.is_some()).count().max(1);
    let room = max_bytes.saturating_sub(fixed) / with_error;
    let mut out = head;
    for (top, err, hint) in blocks {
        out.push_str(&top);
        if let Some(e) = err {
            if room >= 8 {
                out.push_str(&cut_bytes(e.trim_end(), room - 1));
                out.push('\n');
            }
        }
        out.push_str(&hint);
    }
    out.push_str(&tail);
    cut_bytes(out.trim_end(), max_bytes)
}

/// "[test] " or "Resolved: " before a title, or nothing.
pub(crate) fn mark(n: &Notification) -> &'static str {
    match (n.status, n.test) {
        (_, true) => "[test] ",
        (Status::Resolved, _) => "Resolved: ",
        _ => "",
    }
}

/// The kinds of attention notification. The wire keeps the kind as text
/// so that a body stored by a newer hookwatch still renders: an unknown
/// kind gets neutral colours, tags and sounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Done,
    NeedsYou,
    Idle,
    Failed,
    Other,
}

impl Kind {
    pub fn of(kind: &str) -> Kind {
        match kind {
            "done" => Kind::Done,
            "needs_you" => Kind::NeedsYou,
            "idle" => Kind::Idle,
            "failed" => Kind::Failed,
            _ => Kind::Other,
        }
    }
}

/// One fact about the turn or the place, both as a field ("Tool calls",
/// "14") and as a phrase ("14 tool calls").
pub(crate) struct Fact {
    pub name: &'static str,
    pub value: String,
    pub phrase: String,
}

/// What every format shows of an attention notification, taken from the
/// scrubbed copy: each target only lays it out and escapes it.
pub(crate) struct AttentionView<'a> {
    pub kind: Kind,
    pub attention: &'a Attention,
    /// One line, marked ("[test] ...").
    pub title: String,
    /// The main text, cleaned, lines kept. For "failed" without a message
    /// of its own: the failure's error excerpt.
    pub message: Option<String>,
    /// "failed": the StopFailure (or recovery outcome) the worker attached.
    pub failure: Option<&'a AlertItem>,
    /// How long the turn took and what it did.
    pub turn: Vec<Fact>,
    /// Project, branch, session.
    pub place: Vec<Fact>,
}

impl<'a> AttentionView<'a> {
    pub fn of(n: &'a Notification) -> Option<AttentionView<'a>> {
        let attention = n.attention.as_ref()?;
        let f = Facts::of(n);
        let kind = Kind::of(&attention.kind);
        let failure = (kind == Kind::Failed).then(|| n.alerts.last()).flatten();
        let message = attention
            .message
            .as_deref()
            .or_else(|| failure.and_then(|a| a.error.as_deref()))
            .map(clean_text)
            .filter(|m| !m.is_empty());

        let mut turn = Vec::new();
        if let Some(ms) = attention.turn_ms.filter(|ms| *ms >= 0) {
            let d = duration_text(ms);
            turn.push(Fact {
                name: "Took",
                phrase: d.clone(),
                value: d,
            });
        }
        let mut count = |name: &'static str, n: Option<u64>, one: &str, many: &str| {
            // Zero says nothing a reader needs ("0 failures"): left out.
            if let Some(n) = n.filter(|n| *n > 0) {
                turn.push(Fact {
                    name,
                    value: n.to_string(),
                    phrase: format!("{n} {}", if n == 1 { one } else { many }),
                });
            }
        };
        count(
            "Tool calls",
            attention.tool_calls,
            "tool call",
            "tool calls",
        );
        count(
            "Files written",
            attention.files_written,
            "file written",
            "files written",
        );
        count("Failures", attention.failures, "failure", "failures");

        let mut place = Vec::new();
        let mut at = |name: &'static str, v: Option<&str>| {
            let v = v.map(|v| one_line(&clean_text(v))).unwrap_or_default();
            if !v.is_empty() {
                let v = crate::text::cut_chars(&v, 100);
                place.push(Fact {
                    name,
                    phrase: v.clone(),
                    value: v,
                });
            }
        };
        // The project's name, not its path: the title says where already,
        // and a phone shows a few dozen characters.
        at(
            "Project",
            f.project.map(|p| {
                let p = p.trim_end_matches('/');
                p.rsplit('/').next().filter(|n| !n.is_empty()).unwrap_or(p)
            }),
        );
        at("Branch", attention.branch.as_deref());
        // The friendly name tells sessions apart; the id is the fallback.
        at(
            "Session",
            attention
                .session_name
                .as_deref()
                .filter(|s| !s.trim().is_empty())
                .or(f.session.map(short_session)),
        );

        Some(AttentionView {
            kind,
            attention,
            title: format!("{}{}", mark(n), one_line(&clean_text(&f.title))),
            message,
            failure,
            turn,
            place,
        })
    }

    /// "12m 30s · 14 tool calls · 3 files written · 1 failure".
    pub fn turn_line(&self) -> String {
        phrases(&self.turn)
    }

    /// "myproj · main · fix-login-bug".
    pub fn place_line(&self) -> String {
        phrases(&self.place)
    }

    /// "StopFailure · rate_limit" for a failure.
    pub fn failure_line(&self) -> Option<String> {
        self.failure.map(headline)
    }
}

fn phrases(facts: &[Fact]) -> String {
    facts
        .iter()
        .map(|f| f.phrase.as_str())
        .collect::<Vec<_>>()
        .join(" · ")
}

/// "850ms" is never shown: "<1s", "45s", "12m 30s", "2h 5m".
pub fn duration_text(ms: i64) -> String {
    let s = ms / 1000;
    match s {
        0 => "<1s".to_string(),
        1..=59 => format!("{s}s"),
        60..=3599 if s % 60 == 0 => format!("{}m", s / 60),
        60..=3599 => format!("{}m {}s", s / 60, s % 60),
        _ if s % 3600 / 60 == 0 => format!("{}h", s / 3600),
        _ => format!("{}h {}m", s / 3600, s % 3600 / 60),
    }
}

/// The attention text for formats that take text (ntfy body, desktop body,
/// Sentry message): the message excerpt first, then the failure and its
/// `hookwatch show` hint, the turn's facts, the place. Escaped with `esc`
/// and at most `max` units long; the message gives way, the lines after it
/// are kept.
pub(crate) fn attention_lines(v: &AttentionView, max: usize, unit: Unit, esc: Escape) -> String {
    let line_max = (max / 4).max(1);
    let mut tail = Vec::new();
    if let Some(a) = v.failure {
        tail.push(escape_within(&headline(a), line_max, unit, esc));
        tail.push(escape_within(
            &format!("→ {}", a.show_hint()),
            line_max,
            unit,
            esc,
        ));
    }
    for line in [v.turn_line(), v.place_line()] {
        if !line.is_empty() {
            tail.push(escape_within(&line, line_max, unit, esc));
        }
    }
    let tail = tail.join("\n");
    let mut out = String::new();
    if let Some(m) = &v.message {
        // A blank line parts the message from the facts.
        let sep = if tail.is_empty() { 0 } else { 2 };
        let room = max.saturating_sub(unit.len(&tail) + sep);
        if room >= 16 || tail.is_empty() {
            out = escape_within(m, room, unit, esc);
        }
    }
    if !tail.is_empty() {
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&tail);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_keeps_hints_and_bound() {
        let n = Notification {
            title: "Bash failed".into(),
            project: Some("proj".into()),
            alerts: (1..=3)
                .map(|i| AlertItem {
                    event_id: i,
                    event: "PostToolUseFailure".into(),
                    tool: Some("Bash".into()),
                    command: Some("cargo build".into()),
                    error: Some("x".repeat(5000)),
                    count: 1,
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        };
        let t = plain_text(&n, true, 4096, 10);
        assert!(t.len() <= 4096, "{}", t.len());
        for i in 1..=3 {
            assert!(t.contains(&format!("hookwatch show {i}")));
        }
        assert!(t.starts_with("Bash failed\nProject: proj"));
    }

    #[test]
    fn durations() {
        assert_eq!(duration_text(850), "<1s");
        assert_eq!(duration_text(45_000), "45s");
        assert_eq!(duration_text(750_000), "12m 30s");
        assert_eq!(duration_text(180_000), "3m");
        assert_eq!(duration_text(7_500_000), "2h 5m");
        assert_eq!(duration_text(7_200_000), "2h");
    }

    fn done() -> Notification {
        Notification {
            title: "Claude is done in myproj (fix-login-bug)".into(),
            project: Some("myproj".into()),
            session: Some("5f1c2d3e-aaaa".into()),
            attention: Some(Attention {
                kind: "done".into(),
                cause: "Stop".into(),
                session_name: Some("fix-login-bug".into()),
                branch: Some("main".into()),
                message: Some("Fixed the login bug.\n\n\n\nAll tests pass.\u{7}".into()),
                turn_ms: Some(750_000),
                tool_calls: Some(14),
                files_written: Some(3),
                failures: Some(1),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn attention_lines_message_first_then_facts() {
        let n = done();
        let v = AttentionView::of(&n).unwrap();
        assert_eq!(v.kind, Kind::Done);
        assert_eq!(
            attention_lines(&v, 4096, Unit::Bytes, crate::text::no_escape),
            "Fixed the login bug.\n\nAll tests pass.\n\n\
             12m 30s · 14 tool calls · 3 files written · 1 failure\n\
             myproj · main · fix-login-bug"
        );
        // The message gives way; the facts stay.
        let mut long = done();
        long.attention.as_mut().unwrap().message = Some("<&>".repeat(10_000));
        let v = AttentionView::of(&long).unwrap();
        for max in [300, 600, 4096] {
            let t = attention_lines(&v, max, Unit::Chars, crate::text::entity_escape);
            assert!(t.chars().count() <= max, "{max}: {}", t.chars().count());
            assert!(t.ends_with("myproj · main · fix-login-bug"), "{t}");
            assert!(t.starts_with("&lt;&amp;&gt;"));
        }
    }

    #[test]
    fn failed_shows_the_failure_and_its_hint() {
        let mut n = done();
        n.attention.as_mut().unwrap().kind = "failed".into();
        n.attention.as_mut().unwrap().message = None;
        n.alerts = vec![AlertItem {
            event_id: 42,
            event: "StopFailure".into(),
            error: Some("API Error: 429 rate limited".into()),
            error_type: Some("rate_limit".into()),
            ..Default::default()
        }];
        let v = AttentionView::of(&n).unwrap();
        let t = attention_lines(&v, 4096, Unit::Bytes, crate::text::no_escape);
        assert!(
            t.starts_with(
                "API Error: 429 rate limited\n\nStopFailure · rate_limit\n→ hookwatch show 42\n"
            ),
            "{t}"
        );
        // Titles: test mark, and a fallback when the worker set none.
        n.test = true;
        n.title.clear();
        let v = AttentionView::of(&n).unwrap();
        assert_eq!(v.title, "[test] Claude stopped on an error in myproj");
    }
}
