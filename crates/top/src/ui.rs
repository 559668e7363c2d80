//! Drawing the live view: header, totals, failure rates, top failures,
//! recent failures, StopFailures / recovery / alert queue, footer; the
//! event pane and the pickers over it. Every size is worked out with
//! saturating arithmetic so no terminal size can make it panic.

use crate::app::{App, EventPane, Focus, Pane, PickKind, Picker};
use crate::fmt::{age, class_of, cut, error_text, percent, scope, short_session, spark, what};
use crate::plain::{by_state, total};
use crate::snapshot::Snapshot;
use hookwatch_view::{EventPage, Rate, StateCount};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, HighlightSpacing, Paragraph, Row, Table, TableState, Wrap};
use ratatui::Frame;

/// Below this the sections cannot be told apart: a summary instead.
const MIN_WIDTH: u16 = 40;
const MIN_HEIGHT: u16 = 10;

fn bold() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

/// The dashboard's thresholds: under 5 % fine, from 20 % bad.
fn rate_style(rate: f64) -> Style {
    if rate >= 0.2 {
        Style::new().fg(Color::Red)
    } else if rate >= 0.05 {
        Style::new().fg(Color::Yellow)
    } else {
        Style::new().fg(Color::Green)
    }
}

fn block(title: &str, focused: bool) -> Block<'static> {
    let b = Block::bordered().title(format!(" {title} "));
    if focused {
        b.border_style(Style::new().fg(Color::Cyan))
            .title_style(bold().fg(Color::Cyan))
    } else {
        b.title_style(bold())
    }
}

pub fn draw(f: &mut Frame, app: &App) {
    let area = f.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return tiny(f, app, area);
    }
    let help = footer_lines(app, area.width);
    let totals_line = totals(app.snap.as_ref());
    // On a narrow terminal the totals take two lines rather than lose some.
    let totals_h = if totals_line.width() > area.width as usize {
        2
    } else {
        1
    };
    let [header_a, totals_a, body, footer_a] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(totals_h),
        Constraint::Min(0),
        Constraint::Length(help.len() as u16),
    ])
    .areas(area);
    f.render_widget(Paragraph::new(header(app)), header_a);
    f.render_widget(
        Paragraph::new(totals_line).wrap(Wrap { trim: true }),
        totals_a,
    );
    f.render_widget(Paragraph::new(help), footer_a);
    match &app.pane {
        Pane::Event(p) => event_pane(f, p, app, body),
        Pane::Main => main(f, app, body),
        Pane::Picker(p) => {
            main(f, app, body);
            picker(f, p, body);
        }
    }
}

/// A terminal too small for the sections: the totals and how to get more.
fn tiny(f: &mut Frame, app: &App, area: Rect) {
    let mut lines = vec![Line::styled("hookwatch top", bold())];
    if let Some(s) = &app.snap {
        let t = &s.overview.totals;
        lines.push(Line::raw(format!(
            "failures {}/{}",
            t.failures, t.tool_calls
        )));
        lines.push(Line::raw(format!("StopFailures {}", t.stop_failures)));
    }
    lines.push(Line::styled("enlarge; q quits", dim()));
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), area);
}

fn header(app: &App) -> Line<'static> {
    let mut spans = vec![
        Span::styled(" hookwatch top ", bold().fg(Color::Black).bg(Color::Cyan)),
        Span::raw(" "),
    ];
    // An error first, where a narrow terminal does not cut it off.
    if let Some(e) = &app.status {
        spans.push(Span::styled(
            format!("{} ", cut(e, 200)),
            bold().fg(Color::Red),
        ));
    }
    spans.push(Span::styled(scope(&app.filter), bold()));
    if let Some(s) = &app.snap {
        spans.push(Span::styled(
            format!(" · newest event #{}", s.latest_id),
            dim(),
        ));
    }
    Line::from(spans)
}

fn totals(s: Option<&Snapshot>) -> Line<'static> {
    let Some(s) = s else {
        return Line::styled(" reading…", dim());
    };
    let t = &s.overview.totals;
    let rate = if t.tool_calls > 0 {
        t.failures as f64 / t.tool_calls as f64
    } else {
        0.0
    };
    let n = |v: i64| Span::styled(v.to_string(), bold());
    Line::from(vec![
        Span::raw("events "),
        n(t.events),
        Span::raw(" · tool calls "),
        n(t.tool_calls),
        Span::raw(" · failures "),
        n(t.failures),
        Span::raw(" ("),
        Span::styled(percent(rate), rate_style(rate).add_modifier(Modifier::BOLD)),
        Span::raw(") · sessions "),
        n(t.sessions),
        Span::raw(" · StopFailures "),
        n(t.stop_failures),
        Span::raw(" · guard blocks "),
        n(t.guard_blocks),
    ])
}

const KEYS: &[(&str, &str)] = &[
    ("q", "quit"),
    ("↑↓", "select"),
    ("⏎/o", "open event"),
    ("Tab", "recent ⇄ top"),
    ("r/R", "range"),
    ("p", "project"),
    ("s", "session"),
    ("x", "clear filters"),
    ("?", "help"),
];

const HELP: &[(&str, &str)] = &[
    ("q Esc", "quit (in a pane or picker: back)"),
    (
        "↑↓ j k PgUp PgDn g G",
        "move in the list (in the event pane: scroll)",
    ),
    (
        "Enter o",
        "open the selected event: scrubbed payload and hookwatch's answer",
    ),
    ("Tab", "switch between recent failures and top failures"),
    ("r R", "next / previous time range (1h 24h 7d 30d 90d all)"),
    (
        "p s",
        "pick a project / session (type to narrow, Enter to choose)",
    ),
    ("x", "clear the project and session filters"),
    (
        "?",
        "this help; figures refresh every second as events arrive",
    ),
];

fn footer_lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let key = Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD);
    if !app.help {
        let mut spans = Vec::new();
        for (k, what) in KEYS {
            spans.push(Span::styled(format!(" {k}"), key));
            spans.push(Span::raw(format!(" {what} ")));
        }
        return vec![Line::from(spans)];
    }
    let w = HELP
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let mut lines: Vec<Line> = HELP
        .iter()
        .map(|(k, what)| {
            Line::from(vec![
                Span::styled(format!(" {k:<w$}  "), key),
                Span::raw(*what),
            ])
        })
        .collect();
    lines.push(Line::styled(
        format!(
            " {}",
            cut(
                "Numbers count the range shown; a rate is failures / calls (PostToolUse + PostToolUseFailure).",
                (width as usize).saturating_sub(1),
            )
        ),
        dim(),
    ));
    lines
}

/// Heights of the four sections (rates, top failures, recent failures,
/// the bottom row) in `total` rows: each gets what it wants while that
/// fits, recent failures the rest; short of room the others shrink to one
/// row of content, then go, the bottom row first.
fn heights(total: u16, rates: u16, fps: u16, bottom: u16) -> [u16; 4] {
    // Four rows of recent failures: what is happening now comes first.
    const RECENT_MIN: u16 = 7;
    let mut h = [rates, fps, bottom];
    // Borders, a table's header and one row; the bottom row has no header.
    let floor = [4, 4, 3];
    while h.iter().sum::<u16>() + RECENT_MIN > total {
        // Shrink the tallest that can still lose a row.
        match (0..3).filter(|&i| h[i] > floor[i]).max_by_key(|&i| h[i]) {
            Some(i) => h[i] -= 1,
            None => break,
        }
    }
    for drop in [2, 0, 1] {
        if h.iter().sum::<u16>() + RECENT_MIN > total {
            h[drop] = 0;
        }
    }
    let recent = total.saturating_sub(h.iter().sum());
    [h[0], h[1], recent, h[2]]
}

fn main(f: &mut Frame, app: &App, area: Rect) {
    let Some(s) = &app.snap else {
        return;
    };
    let o = &s.overview;
    let rate_rows = o.per_tool.len().max(o.per_mcp_server.len()).clamp(1, 8) as u16;
    let fp_rows = o.top_fingerprints.len().clamp(1, 10) as u16;
    // The alert queue's first line wraps in a third of a narrow terminal.
    let queue_rows = 2 + alert_detail(s).len() + usize::from(area.width < 132);
    let bottom_rows = [o.stop_failures.len(), o.recovery.len(), queue_rows]
        .into_iter()
        .max()
        .unwrap_or(1)
        .clamp(1, 6) as u16;
    let [rates_h, fps_h, recent_h, bottom_h] =
        heights(area.height, rate_rows + 3, fp_rows + 3, bottom_rows + 2);
    let [rates_a, fps_a, recent_a, bottom_a] = Layout::vertical([
        Constraint::Length(rates_h),
        Constraint::Length(fps_h),
        Constraint::Length(recent_h),
        Constraint::Length(bottom_h),
    ])
    .areas(area);

    let [tools_a, mcp_a] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(rates_a);
    rates(f, "Failure rate per tool", "tool", &o.per_tool, tools_a);
    rates(
        f,
        "Failure rate per MCP server",
        "MCP server",
        &o.per_mcp_server,
        mcp_a,
    );
    fingerprints(f, app, s, fps_a);
    recent(f, app, s, recent_a);

    let [stop_a, jobs_a, queue_a] = Layout::horizontal([
        Constraint::Ratio(1, 3),
        Constraint::Ratio(1, 3),
        Constraint::Ratio(1, 3),
    ])
    .areas(bottom_a);
    counts(f, "StopFailures by type", &o.stop_failures, stop_a);
    counts(f, "Recovery jobs", &o.recovery, jobs_a);
    queue(f, s, queue_a);
}

fn rates(f: &mut Frame, title: &str, head: &'static str, rows: &[Rate], area: Rect) {
    let bar_w: u16 = if area.width >= 60 { 10 } else { 0 };
    let table_rows: Vec<Row> = rows
        .iter()
        .map(|r| {
            let filled = (r.rate() * bar_w as f64).ceil() as usize;
            Row::new(vec![
                Line::from(r.key.clone()),
                Line::from(r.calls.to_string()).right_aligned(),
                Line::from(r.failures.to_string()).right_aligned(),
                Line::styled(percent(r.rate()), rate_style(r.rate())).right_aligned(),
                Line::styled("█".repeat(filled.min(bar_w as usize)), rate_style(r.rate())),
            ])
        })
        .collect();
    let empty = table_rows.is_empty();
    let t = Table::new(
        table_rows,
        [
            Constraint::Fill(1),
            Constraint::Length(7),
            Constraint::Length(8),
            Constraint::Length(7),
            Constraint::Length(bar_w),
        ],
    )
    .header(
        Row::new(vec![
            Line::from(head),
            Line::from("calls").right_aligned(),
            Line::from("failures").right_aligned(),
            Line::from("rate").right_aligned(),
            Line::from(""),
        ])
        .style(dim()),
    )
    .block(block(title, false));
    f.render_widget(t, area);
    if empty {
        none(f, area, "none in this range");
    }
}

/// `text` on the first content row of a bordered, table-headed block.
fn none(f: &mut Frame, area: Rect, text: &str) {
    let inner = Rect {
        x: area.x.saturating_add(1),
        y: area.y.saturating_add(2),
        width: area.width.saturating_sub(2),
        height: area.height.saturating_sub(3).min(1),
    };
    f.render_widget(Paragraph::new(Line::styled(text.to_string(), dim())), inner);
}

fn fingerprints(f: &mut Frame, app: &App, s: &Snapshot, area: Rect) {
    let o = &s.overview;
    let trend_w = o
        .top_fingerprints
        .iter()
        .map(|f| f.trend.len())
        .max()
        .unwrap_or(0)
        .clamp(5, 30) as u16;
    let wide = area.width >= 110;
    let rows: Vec<Row> = o
        .top_fingerprints
        .iter()
        .map(|fp| {
            let mut cells = vec![
                Line::from(fp.count.to_string()).right_aligned(),
                Line::styled(spark(&fp.trend), Style::new().fg(Color::Red)),
                Line::from(fp.tool.clone()),
                Line::from(fp.class.clone()),
            ];
            if wide {
                cells.push(Line::styled(fp.fingerprint.clone(), dim()));
            }
            cells.push(Line::from(cut(
                fp.command_head.as_deref().unwrap_or(""),
                200,
            )));
            Row::new(cells)
        })
        .collect();
    let mut widths = vec![
        Constraint::Length(6),
        Constraint::Length(trend_w),
        Constraint::Length(fit(
            o.top_fingerprints.iter().map(|f| f.tool.as_str()),
            tool_max(area),
        )),
        Constraint::Length(fit(o.top_fingerprints.iter().map(|f| f.class.as_str()), 18)),
    ];
    let mut head = vec![
        Line::from("count").right_aligned(),
        Line::from("per day"),
        Line::from("tool"),
        Line::from("class"),
    ];
    if wide {
        widths.push(Constraint::Length(16));
        head.push(Line::from("fingerprint"));
    }
    widths.push(Constraint::Fill(1));
    head.push(Line::from("failure"));
    let focused = app.focus == Focus::Fingerprints && matches!(app.pane, Pane::Main);
    let empty = rows.is_empty();
    let t = Table::new(rows, widths)
        .header(Row::new(head).style(dim()))
        .block(block("Top failures", focused));
    let t = selectable(t, focused);
    let mut state = TableState::default().with_selected((!empty).then_some(app.fp_sel));
    f.render_stateful_widget(t, area, &mut state);
    if empty {
        none(f, area, "no failures in this range");
    }
}

/// The selected row stands out, reversed and marked (the mark also for
/// monochrome terminals and screen captures), only in the list the keys
/// move in; the mark's column is kept either way so Tab does not shift
/// the columns.
fn selectable(t: Table<'_>, focused: bool) -> Table<'_> {
    let t = t.highlight_spacing(HighlightSpacing::Always);
    if focused {
        t.row_highlight_style(Style::new().add_modifier(Modifier::REVERSED))
            .highlight_symbol("› ")
    } else {
        t.highlight_symbol("  ")
    }
}

/// Tool names of MCP calls run long (`mcp__github__create_issue`): their
/// column gives way to the error text on narrow terminals.
fn tool_max(area: Rect) -> u16 {
    (area.width / 6).clamp(8, 26)
}

/// A column as wide as its widest value (or its name), within `max`.
fn fit<'a>(values: impl Iterator<Item = &'a str>, max: u16) -> u16 {
    values
        .map(|v| v.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(5, max as usize) as u16
}

fn recent(f: &mut Frame, app: &App, s: &Snapshot, area: Rect) {
    let id_w = s
        .recent_failures
        .first()
        .map_or(2, |h| h.item.id.to_string().len()) as u16;
    let whats: Vec<String> = s.recent_failures.iter().map(|h| what(&h.item)).collect();
    let classes: Vec<String> = s
        .recent_failures
        .iter()
        .map(|h| class_of(&h.item))
        .collect();
    let rows: Vec<Row> = s
        .recent_failures
        .iter()
        .zip(whats.iter().zip(&classes))
        .map(|(h, (what, class))| {
            Row::new(vec![
                Line::from(h.item.id.to_string()).right_aligned(),
                Line::from(age(s.now_us, h.item.time_us)).right_aligned(),
                Line::from(what.clone()),
                Line::styled(class.clone(), Style::new().fg(Color::Yellow)),
                Line::styled(short_session(h.session_id.as_deref()), dim()),
                Line::from(cut(&error_text(&h.item), 300)),
            ])
        })
        .collect();
    let focused = app.focus == Focus::Recent && matches!(app.pane, Pane::Main);
    let empty = rows.is_empty();
    let t = Table::new(
        rows,
        [
            Constraint::Length(id_w.max(2)),
            Constraint::Length(4),
            Constraint::Length(fit(whats.iter().map(String::as_str), tool_max(area))),
            Constraint::Length(fit(classes.iter().map(String::as_str), 18)),
            Constraint::Length(8),
            Constraint::Fill(1),
        ],
    )
    .header(
        Row::new(vec![
            Line::from("id").right_aligned(),
            Line::from("age").right_aligned(),
            Line::from("tool"),
            Line::from("class"),
            Line::from("session"),
            Line::from("error (scrubbed)"),
        ])
        .style(dim()),
    )
    .block(block("Recent failures", focused));
    let t = selectable(t, focused);
    let mut state = TableState::default().with_selected((!empty).then_some(app.recent_sel));
    f.render_stateful_widget(t, area, &mut state);
    if empty {
        none(f, area, "no failures in this range");
    }
}

fn counts(f: &mut Frame, title: &str, rows: &[StateCount], area: Rect) {
    let lines: Vec<Line> = if rows.is_empty() {
        vec![Line::styled("none", dim())]
    } else {
        rows.iter()
            .map(|r| {
                let mut spans = vec![
                    Span::styled(format!("{:>5} ", r.count), bold()),
                    Span::raw(r.key.clone()),
                ];
                if !r.detail.is_empty() {
                    spans.push(Span::styled(format!(" · {}", r.detail), dim()));
                }
                Line::from(spans)
            })
            .collect()
    };
    f.render_widget(Paragraph::new(lines).block(block(title, false)), area);
}

/// Pending and dead notifications per target: what may need a person.
fn alert_detail(s: &Snapshot) -> Vec<&StateCount> {
    s.overview
        .alerts
        .notifications
        .iter()
        .filter(|r| r.key == "pending" || r.key == "dead")
        .collect()
}

fn queue(f: &mut Frame, s: &Snapshot, area: Rect) {
    let n = &s.overview.alerts.notifications;
    let dead = total(n, "dead");
    let mut lines = vec![Line::from(vec![
        Span::raw("notifications: pending "),
        Span::styled(total(n, "pending").to_string(), bold()),
        Span::raw(" · dead "),
        Span::styled(
            dead.to_string(),
            if dead > 0 {
                bold().fg(Color::Red)
            } else {
                bold()
            },
        ),
        Span::raw(" · sent "),
        Span::styled(total(n, "sent").to_string(), bold()),
    ])];
    for r in alert_detail(s) {
        lines.push(Line::styled(
            format!("  {} {} → {}", r.count, r.key, r.detail),
            dim(),
        ));
    }
    let a = &s.overview.alerts.alerts;
    lines.push(Line::from(format!(
        "alerts: {}",
        if a.is_empty() {
            "none".to_string()
        } else {
            by_state(a)
        }
    )));
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block("Alert queue", false)),
        area,
    );
}

/// The event pane's text: what hookwatch knows of the event, its answer,
/// then the scrubbed payload.
pub fn event_lines(e: &EventPage, now_us: i64) -> Vec<Line<'static>> {
    let i = &e.item;
    let mut lines = Vec::new();
    let mut field = |k: &str, v: String| {
        if !v.is_empty() {
            lines.push(Line::from(vec![
                Span::styled(format!("{k:<12}"), dim()),
                Span::raw(v),
            ]));
        }
    };
    field("event", i.event.clone());
    field("when", format!("{} ago", age(now_us, i.time_us)));
    field("session", e.session_id.clone().unwrap_or_default());
    field("project", e.project.clone().unwrap_or_default());
    field("cwd", e.cwd.clone().unwrap_or_default());
    field("tool", i.tool_name.clone().unwrap_or_default());
    field("input", i.summary.clone().unwrap_or_default());
    field(
        "duration",
        i.duration_ms.map(|d| format!("{d} ms")).unwrap_or_default(),
    );
    field("class", i.class.clone().unwrap_or_default());
    field(
        "expected",
        i.expected
            .map(|x| if x { "yes" } else { "no" }.to_string())
            .unwrap_or_default(),
    );
    field("fingerprint", i.fingerprint.clone().unwrap_or_default());
    field("error", i.error.clone().unwrap_or_default());
    field("message", i.message.clone().unwrap_or_default());
    field("advice", i.advice.join(", "));
    field(
        "guard",
        [&i.guard_decision, &i.guard_policy, &i.guard_reason]
            .into_iter()
            .flatten()
            .cloned()
            .collect::<Vec<_>>()
            .join(" · "),
    );
    field(
        "size",
        format!(
            "{} bytes{}",
            e.original_size,
            if e.truncated {
                " (stored truncated)"
            } else {
                ""
            }
        ),
    );
    field("parse error", e.parse_error.clone().unwrap_or_default());
    for a in &e.alerts {
        field(
            "alert",
            format!(
                "#{} {} → {}{}",
                a.id,
                a.state,
                a.target,
                a.reason
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            ),
        );
    }
    let mut text = |title: &str, body: &str| {
        lines.push(Line::raw(""));
        lines.push(Line::styled(title.to_string(), bold().fg(Color::Cyan)));
        lines.extend(body.lines().map(|l| Line::raw(l.to_string())));
    };
    match &e.outcome {
        Some(o) => text(
            "hookwatch's answer",
            &serde_json::to_string_pretty(o).unwrap_or_default(),
        ),
        None => text(
            "hookwatch's answer",
            "(none: nothing to say about this event)",
        ),
    }
    text("Payload (scrubbed)", &e.payload);
    lines
}

/// `lines` cut into rows of at most `width` characters: the pane wraps
/// long payload lines itself so that it knows how far it can scroll.
fn wrap(lines: Vec<Line<'static>>, width: usize) -> Vec<Line<'static>> {
    let width = width.max(1);
    let mut out = Vec::new();
    for line in lines {
        if line.width() <= width {
            out.push(line);
            continue;
        }
        // Only plain payload lines are long; their style is the line's.
        let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        let chars: Vec<char> = text.chars().collect();
        for chunk in chars.chunks(width) {
            out.push(Line::styled(chunk.iter().collect::<String>(), line.style));
        }
    }
    out
}

fn event_pane(f: &mut Frame, p: &EventPane, app: &App, area: Rect) {
    let now = app.snap.as_ref().map_or(0, |s| s.now_us);
    let inner_w = area.width.saturating_sub(2) as usize;
    let rows = area.height.saturating_sub(2) as usize;
    let lines = match &p.page {
        Some(e) => wrap(event_lines(e, now), inner_w),
        None => vec![Line::raw(format!(
            "Event {} is no longer stored (retention removed it).",
            p.id
        ))],
    };
    let max = lines.len().saturating_sub(rows);
    p.max_scroll.set(max);
    p.page_rows.set(rows.saturating_sub(1).max(1));
    let scroll = p.scroll.min(max);
    let title = format!(
        "Event #{} · lines {}-{} of {} · ↑↓ PgUp PgDn scroll · Esc back",
        p.id,
        (scroll + 1).min(lines.len()),
        (scroll + rows).min(lines.len()),
        lines.len()
    );
    let visible: Vec<Line> = lines.into_iter().skip(scroll).take(rows).collect();
    f.render_widget(Paragraph::new(visible).block(block(&title, true)), area);
}

fn picker(f: &mut Frame, p: &Picker, area: Rect) {
    let visible = p.visible();
    let w = area.width.saturating_sub(4).min(100);
    let h = area
        .height
        .saturating_sub(2)
        .min(visible.len() as u16 + 3)
        .max(area.height.min(5));
    let r = Rect {
        x: area.x + (area.width.saturating_sub(w)) / 2,
        y: area.y + (area.height.saturating_sub(h)) / 2,
        width: w,
        height: h,
    };
    let what = match p.kind {
        PickKind::Project => "Project",
        PickKind::Session => "Session",
    };
    let rows = h.saturating_sub(3) as usize;
    let offset = p.selected.saturating_sub(rows.saturating_sub(1));
    let mut lines = vec![Line::from(vec![
        Span::styled("filter: ", dim()),
        Span::raw(p.query.clone()),
        Span::styled("▏", Style::new().fg(Color::Cyan)),
    ])];
    for (i, c) in visible.iter().enumerate().skip(offset).take(rows) {
        let style = if i == p.selected {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new()
        };
        lines.push(Line::styled(cut(&c.label, w as usize), style));
    }
    if visible.is_empty() {
        lines.push(Line::styled("nothing matches", dim()));
    }
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines).block(block(
            &format!("{what} · type to narrow · ⏎ choose · Esc cancel"),
            true,
        )),
        r,
    );
}

#[cfg(test)]
mod layout_tests {
    use super::heights;

    #[test]
    fn sections_share_the_height_and_recent_failures_come_first() {
        // Room for all: each gets what it wants, recent failures the rest.
        assert_eq!(heights(40, 6, 5, 6), [6, 5, 23, 6]);
        // 80x24: the others shrink, recent failures keep four rows.
        assert_eq!(heights(20, 6, 5, 6), [5, 4, 7, 4]);
        // Less: the bottom row goes first, then the rates.
        assert_eq!(heights(14, 6, 5, 6), [0, 4, 10, 0]);
        assert_eq!(heights(10, 6, 5, 6), [0, 0, 10, 0]);
        for total in 0..60 {
            for want in [3, 4, 7, 13] {
                let h = heights(total, want, want + 1, want);
                assert_eq!(h.iter().sum::<u16>(), total, "{total} {want}: {h:?}");
            }
        }
    }
}
