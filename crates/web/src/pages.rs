//! The pages and the JSON API. Every page takes the same filters from the
//! URL; numbers carry `data-figure` attributes so tests (and scripts) read
//! them from the page people see.

use crate::html::{self, esc, url};
use crate::{now_us, Reply, Req, State};
use hookwatch_view::{Bucket, Filter, Stack, TimelineItem, View, ViewError};
use serde_json::json;
use std::collections::HashMap;
use std::fmt::Write as _;

type R = Result<Reply, ViewError>;

pub(crate) fn get(state: &State, v: &View, r: &Req) -> R {
    let path = r.path.as_str();
    if let Some(api) = path.strip_prefix("/api") {
        return api_get(v, r, api);
    }
    let f = r.filter();
    let (title, body) = match path {
        "/" => ("Overview", overview(v, r, &f)?),
        "/sessions" => ("Sessions", sessions(v, r, &f)?),
        "/search" => ("Search", search(v, r, &f)?),
        "/alerts" => ("Alerts", alerts(state, v)?),
        _ => {
            if let Some(id) = path.strip_prefix("/session/") {
                ("Session", session(v, r, &decode_seg(id))?)
            } else if let Some(fp) = path.strip_prefix("/fingerprint/") {
                ("Failure", fingerprint(v, r, &decode_seg(fp))?)
            } else if let Some(id) = path.strip_prefix("/event/") {
                match id.parse::<i64>() {
                    Ok(id) => ("Event", event(v, r, id)?),
                    Err(_) => return Ok(not_found()),
                }
            } else {
                return Ok(not_found());
            }
        }
    };
    Ok(Reply::Html(200, frame(state, v, r, &f, title, &body)))
}

fn decode_seg(s: &str) -> String {
    crate::parse_form(&format!("x={}", s.replace('+', "%2B")))
        .remove("x")
        .unwrap_or_default()
}

fn not_found() -> Reply {
    Reply::Html(
        404,
        "<!doctype html><title>Not found</title><p>Not found. <a href=\"/\">Overview</a></p>"
            .into(),
    )
}

pub(crate) fn error_page(msg: &str) -> Reply {
    Reply::Html(
        503,
        format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>hookwatch</title><link rel=\"icon\" href=\"/assets/icon.svg\" type=\"image/svg+xml\"><link rel=\"stylesheet\" href=\"/assets/app.css\"></head><body><main><h1>hookwatch</h1><p class=\"error\">{}</p></main></body></html>",
            esc(msg)
        ),
    )
}

/// The query string of the current filters (for links that keep them).
fn keep(r: &Req, drop: &[&str]) -> String {
    let mut parts: Vec<String> = [
        "range", "project", "tool", "class", "session", "stack", "bucket", "q",
    ]
    .iter()
    .filter(|k| !drop.contains(k))
    .filter_map(|k| r.get(k).map(|v| format!("{k}={}", url(v))))
    .collect();
    parts.sort();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

fn frame(state: &State, v: &View, r: &Req, f: &Filter, title: &str, body: &str) -> String {
    if r.partial {
        return body.to_string();
    }
    let nav: String = [
        ("/", "Overview"),
        ("/sessions", "Sessions"),
        ("/search", "Search"),
        ("/alerts", "Alerts & recovery"),
    ]
    .iter()
    .map(|(href, name)| {
        let cur = if *name == title || (title == "Session" && *name == "Sessions") {
            " aria-current=\"page\""
        } else {
            ""
        };
        format!(
            "<a href=\"{href}{}\"{cur}>{name}</a>",
            esc(&keep(r, &["q"]))
        )
    })
    .collect();
    let facets = v.facets().unwrap_or_default();
    let select = |name: &str, label: &str, values: &[String], cur: &Option<String>| {
        let mut s =
            format!("<label>{label} <select name=\"{name}\"><option value=\"\">all</option>");
        for val in values {
            let sel = if cur.as_deref() == Some(val) {
                " selected"
            } else {
                ""
            };
            let _ = write!(
                s,
                "<option value=\"{}\"{sel}>{}</option>",
                esc(val),
                esc(&html::cut(val, 48))
            );
        }
        if let Some(c) = cur {
            if !values.contains(c) {
                let _ = write!(
                    s,
                    "<option value=\"{}\" selected>{}</option>",
                    esc(c),
                    esc(c)
                );
            }
        }
        s.push_str("</select></label>");
        s
    };
    let ranges = ["1h", "24h", "7d", "30d", "90d", "all"];
    let cur_range = f.range.name();
    let mut range = String::from("<label>Range <select name=\"range\">");
    for rg in ranges {
        let sel = if rg == cur_range { " selected" } else { "" };
        let _ = write!(range, "<option{sel}>{rg}</option>");
    }
    range.push_str("</select></label>");
    let session = match &f.session {
        Some(s) => format!(
            "<label>Session <input name=\"session\" value=\"{}\" size=\"14\"></label>",
            esc(s)
        ),
        None => "<input type=\"hidden\" name=\"session\" value=\"\">".into(),
    };
    let q = r
        .get("q")
        .map(|q| format!("<input type=\"hidden\" name=\"q\" value=\"{}\">", esc(q)))
        .unwrap_or_default();
    let extra: String = ["stack", "bucket"]
        .iter()
        .filter_map(|k| {
            r.get(k)
                .map(|v| format!("<input type=\"hidden\" name=\"{k}\" value=\"{}\">", esc(v)))
        })
        .collect();
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · hookwatch</title><link rel="icon" href="/assets/icon.svg" type="image/svg+xml"><link rel="stylesheet" href="/assets/app.css"><script src="/assets/app.js" defer></script></head>
<body data-latest="{latest}" data-csrf="{csrf}">
<header><span class="brand">hookwatch</span><nav>{nav}</nav><span class="live" id="live" title="new events appear without a reload">live</span></header>
<form class="filters" method="get" action="{path}">{range}{project}{tool}{class}{session}{q}{extra}<noscript><button>Apply</button></noscript></form>
<main id="main">{body}</main>
<footer>Scrubbed data only · {db}{ro}</footer>
</body></html>"#,
        latest = v.latest_id().unwrap_or(0),
        csrf = if state.cfg.read_only {
            String::new()
        } else {
            state.csrf.clone()
        },
        path = esc(&r.path),
        project = select("project", "Project", &facets.projects, &f.project),
        tool = select("tool", "Tool", &facets.tools, &f.tool),
        class = select("class", "Class", &facets.classes, &f.class),
        db = esc(&v.path().display().to_string()),
        ro = if state.cfg.read_only {
            " · read-only"
        } else {
            ""
        },
    )
}

fn figure(name: &str, label: &str, value: impl std::fmt::Display) -> String {
    format!("<div class=\"figure\"><span class=\"value\" data-figure=\"{name}\">{value}</span><span class=\"label\">{label}</span></div>")
}

fn overview(v: &View, r: &Req, f: &Filter) -> Result<String, ViewError> {
    let stack = r
        .get("stack")
        .and_then(Stack::parse)
        .unwrap_or(Stack::Class);
    let bucket = r.get("bucket").and_then(Bucket::parse);
    let o = v.overview(f, stack, bucket, now_us())?;
    let t = &o.totals;
    let rate = if t.tool_calls > 0 {
        t.failures as f64 / t.tool_calls as f64
    } else {
        0.0
    };
    let mut s = String::from("<section class=\"figures\">");
    s += &figure("events", "events", t.events);
    s += &figure("tool-calls", "tool calls", t.tool_calls);
    s += &figure("failures", "failures", t.failures);
    s += &figure("failure-rate", "failure rate", html::percent(rate));
    s += &figure("sessions", "sessions", t.sessions);
    s += &figure("stop-failures", "StopFailures", t.stop_failures);
    s += &figure("guard-blocks", "guard blocks", t.guard_blocks);
    s += "</section>";

    // Failures over time.
    let hourly = o.bucket == Bucket::Hour;
    let labels: Vec<String> = o
        .buckets
        .iter()
        .map(|&b| html::bucket_label(b, hourly))
        .collect();
    let mut keys: Vec<String> = Vec::new();
    let mut series = Vec::new();
    let index: HashMap<i64, usize> = o.buckets.iter().enumerate().map(|(i, &b)| (b, i)).collect();
    for p in &o.series {
        let k = match keys.iter().position(|k| *k == p.key) {
            Some(k) => k,
            None => {
                keys.push(p.key.clone());
                keys.len() - 1
            }
        };
        if let Some(&b) = index.get(&p.t_us) {
            series.push((b, k, p.count));
        }
    }
    let switch = |k: &str, val: &str, label: &str, cur: bool| {
        let mut q = keep(r, &[k]);
        q.push(if q.is_empty() { '?' } else { '&' });
        format!(
            "<a href=\"/{}{k}={val}\"{}>{label}</a>",
            esc(&q),
            if cur { " aria-current=\"true\"" } else { "" }
        )
    };
    let _ = write!(
        s,
        "<section><h2>Failures over time</h2><p class=\"switch\">by {} {} · per {} {}</p>{}<p class=\"legend\">{}</p></section>",
        switch("stack", "class", "class", stack == Stack::Class),
        switch("stack", "tool", "tool", stack == Stack::Tool),
        switch("bucket", "hour", "hour", o.bucket == Bucket::Hour),
        switch("bucket", "day", "day", o.bucket == Bucket::Day),
        html::stacked_bars(&labels, &keys, &series, "failures over time"),
        keys.iter().enumerate().map(|(i, k)| format!("<span class=\"key\"><i class=\"c{}\"></i>{}</span>", i % html::PALETTE.len(), esc(k))).collect::<String>()
    );

    let rates = |title: &str, name: &str, rows: &[hookwatch_view::Rate]| {
        let mut t = format!("<section class=\"half\"><h2>{title}</h2><table data-table=\"{name}\"><thead><tr><th>{}</th><th class=\"n\">calls</th><th class=\"n\">failures</th><th>rate</th></tr></thead><tbody>", if name == "tools" { "tool" } else { "MCP server" });
        for row in rows {
            let link = if name == "tools" {
                format!(
                    "<a href=\"/{}\">{}</a>",
                    esc(&with(r, "tool", &row.key)),
                    esc(&row.key)
                )
            } else {
                esc(&row.key)
            };
            let _ = write!(t, "<tr data-key=\"{}\"><td>{link}</td><td class=\"n\" data-calls>{}</td><td class=\"n\" data-failures>{}</td><td><meter min=\"0\" max=\"1\" low=\"0.05\" high=\"0.2\" optimum=\"0\" value=\"{:.4}\"></meter> {}</td></tr>", esc(&row.key), row.calls, row.failures, row.rate(), html::percent(row.rate()));
        }
        if rows.is_empty() {
            t += "<tr><td colspan=\"4\" class=\"empty\">none in this range</td></tr>";
        }
        t += "</tbody></table></section>";
        t
    };
    s += "<div class=\"row\">";
    s += &rates("Failure rate per tool", "tools", &o.per_tool);
    s += &rates("Failure rate per MCP server", "mcp", &o.per_mcp_server);
    s += "</div>";

    s += "<section><h2>Top failures</h2><table data-table=\"fingerprints\"><thead><tr><th>failure</th><th>tool</th><th>class</th><th class=\"n\">count</th><th>trend</th></tr></thead><tbody>";
    for fp in &o.top_fingerprints {
        let _ = write!(
            s,
            "<tr><td><a href=\"/fingerprint/{}{}\">{}</a></td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            url(&fp.fingerprint),
            esc(&keep(r, &["q", "stack", "bucket"])),
            esc(&html::cut(fp.command_head.as_deref().unwrap_or(&fp.fingerprint), 70)),
            esc(&fp.tool),
            esc(&fp.class),
            fp.count,
            html::sparkline(&fp.trend)
        );
    }
    if o.top_fingerprints.is_empty() {
        s += "<tr><td colspan=\"5\" class=\"empty\">no failures in this range</td></tr>";
    }
    s += "</tbody></table></section>";

    let counts = |title: &str, name: &str, head: &str, rows: &[hookwatch_view::StateCount]| {
        let mut t = format!("<section class=\"quarter\"><h2>{title}</h2><table data-table=\"{name}\"><thead><tr><th>{head}</th><th></th><th class=\"n\">count</th></tr></thead><tbody>");
        for row in rows {
            let _ = write!(
                t,
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
                esc(&row.key),
                esc(&row.detail),
                row.count
            );
        }
        if rows.is_empty() {
            t += "<tr><td colspan=\"3\" class=\"empty\">none</td></tr>";
        }
        t += "</tbody></table></section>";
        t
    };
    s += "<div class=\"row\">";
    s += &counts(
        "StopFailures",
        "stop-failures",
        "error type",
        &o.stop_failures,
    );
    s += &counts("Guard decisions", "guard", "decision · policy", &o.guard);
    s += &counts("Alerts", "alerts", "state · reason", &o.alerts.alerts);
    s += &counts(
        "Notifications",
        "notifications",
        "state · target",
        &o.alerts.notifications,
    );
    s += &counts("Recovery jobs", "recovery", "state · kind", &o.recovery);
    s += "</div>";
    s += "<p class=\"note\">Hook latency is not recorded by the hook (it would cost the hook a clock read and a field); see BENCHMARKS.md for measured figures.</p>";
    Ok(s)
}

/// The current query with `k` set to `val`.
fn with(r: &Req, k: &str, val: &str) -> String {
    let mut q = keep(r, &[k, "q"]);
    q.push(if q.is_empty() { '?' } else { '&' });
    format!("{q}{k}={}", url(val))
}

fn sessions(v: &View, r: &Req, f: &Filter) -> Result<String, ViewError> {
    let page: usize = r
        .get("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(0)
        .min(10_000);
    let rows = v.sessions(f, now_us(), 50, page * 50)?;
    let mut s = String::from("<section><h2>Sessions</h2><table data-table=\"sessions\"><thead><tr><th>session</th><th>project</th><th>started</th><th class=\"n\">duration</th><th class=\"n\">tool calls</th><th class=\"n\">failures</th><th class=\"n\">API errors</th><th class=\"n\">guard blocks</th></tr></thead><tbody>");
    for row in &rows {
        let _ = write!(
            s,
            "<tr data-session=\"{}\"><td><a href=\"/session/{}{}\">{}</a></td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n{}\">{}</td><td class=\"n{}\">{}</td><td class=\"n\">{}</td></tr>",
            esc(&row.session_id),
            url(&row.session_id),
            esc(&keep(r, &["session", "q", "stack", "bucket"])),
            esc(&html::cut(&row.session_id, 14)),
            esc(&html::cut(row.project.as_deref().unwrap_or(""), 40)),
            html::time(row.first_us),
            html::duration(row.last_us - row.first_us),
            row.tool_calls,
            if row.failures > 0 { " bad" } else { "" },
            row.failures,
            if row.stop_failures > 0 { " bad" } else { "" },
            row.stop_failures,
            row.guard_blocks
        );
    }
    if rows.is_empty() {
        s += "<tr><td colspan=\"8\" class=\"empty\">no sessions in this range</td></tr>";
    }
    s += "</tbody></table>";
    if rows.len() == 50 {
        let _ = write!(
            s,
            "<p><a href=\"/sessions{}\">older sessions →</a></p>",
            esc(&with(r, "page", &(page + 1).to_string()))
        );
    }
    s += "</section>";
    Ok(s)
}

/// One event as a table row; `dated` shows the day too (lists that span
/// days), a session's timeline shows the time only.
fn item_row(i: &TimelineItem, r: &Req, dated: bool) -> String {
    let kind = match (i.event.as_str(), i.guard_decision.as_deref()) {
        ("PostToolUseFailure", _) => "failure",
        ("StopFailure", _) => "stopfailure",
        ("PreToolUse", Some("deny" | "ask")) => "blocked",
        _ => "",
    };
    let mut detail = String::new();
    if let Some(sum) = &i.summary {
        let _ = write!(detail, "<code>{}</code>", esc(&html::cut(sum, 160)));
    }
    if let Some(err) = &i.error {
        let _ = write!(
            detail,
            "<div class=\"err\">{}</div>",
            esc(&html::cut(err, 300))
        );
    }
    if let Some(m) = &i.message {
        let _ = write!(
            detail,
            "<div class=\"err\">{}</div>",
            esc(&html::cut(m, 300))
        );
    }
    if let Some(c) = &i.class {
        let _ = write!(
            detail,
            "<span class=\"tag\" data-class>{}{}</span>",
            esc(c),
            if i.expected == Some(true) {
                " (expected)"
            } else {
                ""
            }
        );
    }
    if !i.advice.is_empty() {
        let _ = write!(
            detail,
            "<span class=\"tag advice\" data-advice>advice: {}</span>",
            esc(&i.advice.join(", "))
        );
    }
    if let Some(fp) = &i.fingerprint {
        if fp != "-" {
            let _ = write!(
                detail,
                " <a class=\"tag\" href=\"/fingerprint/{}{}\">all like this</a>",
                url(fp),
                esc(&keep(r, &["session", "q", "stack", "bucket"]))
            );
        }
    }
    if kind == "blocked" {
        let _ = write!(
            detail,
            "<div class=\"guard\" data-guard>guard {}: {} — {}</div>",
            esc(i.guard_decision.as_deref().unwrap_or("")),
            esc(i.guard_policy.as_deref().unwrap_or("")),
            esc(&html::cut(i.guard_reason.as_deref().unwrap_or(""), 200))
        );
    }
    format!(
        "<tr class=\"{kind}\" data-event=\"{}\" data-id=\"{}\"><td><a href=\"/event/{}\">{}</a></td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{detail}</td></tr>",
        esc(&i.event),
        i.id,
        i.id,
        if dated { html::time(i.time_us) } else { html::time(i.time_us)[11..].to_string() },
        esc(&i.event),
        esc(i.tool_name.as_deref().unwrap_or("")),
        i.duration_ms.map(|d| format!("{d} ms")).unwrap_or_default(),
    )
}

fn session(v: &View, r: &Req, id: &str) -> Result<String, ViewError> {
    let t = v.timeline(id)?;
    let mut s = format!("<section><h2>Session <code>{}</code></h2>", esc(id));
    if let Some(sum) = &t.session {
        let _ = write!(
            s,
            "<p class=\"meta\">{} · started {} · {} · <span data-figure=\"tool-calls\">{}</span> {} · <span data-figure=\"failures\">{}</span> {} · {} · {} · <a href=\"/{}\">overview of this session</a></p>",
            esc(sum.project.as_deref().unwrap_or("")),
            html::time(sum.first_us),
            html::duration(sum.last_us - sum.first_us),
            sum.tool_calls,
            if sum.tool_calls == 1 { "tool call" } else { "tool calls" },
            sum.failures,
            if sum.failures == 1 { "failure" } else { "failures" },
            html::count(sum.stop_failures, "API error", "API errors"),
            html::count(sum.guard_blocks, "guard block", "guard blocks"),
            esc(&with(r, "session", id))
        );
    } else if t.items.is_empty() {
        s += "<p class=\"empty\">No events of this session.</p>";
    }
    s += "<table class=\"timeline\" data-table=\"timeline\"><thead><tr><th>time (UTC)</th><th>event</th><th>tool</th><th class=\"n\">took</th><th>what happened</th></tr></thead><tbody>";
    for i in &t.items {
        s += &item_row(i, r, false);
    }
    s += "</tbody></table>";
    if t.more > 0 {
        let _ = write!(s, "<p class=\"note\">{} later events not shown; `hookwatch events --session {}` lists them all.</p>", t.more, esc(id));
    }
    if !t.recovery.is_empty() {
        s += "<h3>Recovery</h3><table data-table=\"recovery\"><thead><tr><th>job</th><th>error</th><th>kind</th><th>state</th><th class=\"n\">attempt</th><th>due</th><th>outcome</th></tr></thead><tbody>";
        for j in &t.recovery {
            let _ = write!(s, "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>", j.id, esc(&j.error_type), esc(&j.kind), esc(&j.state), j.attempt, j.due_us.map(html::time).unwrap_or_default(), esc(&html::cut(j.outcome.as_deref().unwrap_or(""), 120)));
        }
        s += "</tbody></table>";
    }
    s += "</section>";
    Ok(s)
}

fn fingerprint(v: &View, r: &Req, fp: &str) -> Result<String, ViewError> {
    let Some(p) = v.fingerprint(fp)? else {
        return Ok(format!(
            "<p class=\"empty\">No failure with fingerprint <code>{}</code>.</p>",
            esc(fp)
        ));
    };
    let mut s = format!(
        "<section><h2>{}</h2><p class=\"meta\">fingerprint <code>{}</code> · {} · class {} · first seen {} · last seen {} · <span data-figure=\"count\">{}</span> {} in {}</p>",
        esc(&html::cut(p.command_head.as_deref().unwrap_or(fp), 100)),
        esc(fp),
        esc(p.tool.as_deref().unwrap_or("")),
        esc(p.class.as_deref().unwrap_or("")),
        html::time(p.first_us),
        html::time(p.last_us),
        p.count,
        if p.count == 1 { "time" } else { "times" },
        html::count(p.sessions, "session", "sessions")
    );
    let labels: Vec<String> = p
        .per_day
        .iter()
        .map(|(d, _)| html::bucket_label(*d, false))
        .collect();
    let series: Vec<(usize, usize, i64)> = p
        .per_day
        .iter()
        .enumerate()
        .map(|(i, (_, n))| (i, 0, *n))
        .collect();
    s += &html::stacked_bars(
        &labels,
        &[p.class.clone().unwrap_or_default()],
        &series,
        "failures per day",
    );
    let _ = write!(
        s,
        "<p>Classified by <code>{}</code>; advice given: {}.</p>",
        esc(p.rule.as_deref().unwrap_or("-")),
        if p.advice.is_empty() {
            "none".to_string()
        } else {
            esc(&p.advice.join(", "))
        }
    );
    s += "<h3>Projects</h3><ul>";
    for (proj, n) in &p.projects {
        let _ = write!(
            s,
            "<li>{} ({n})</li>",
            esc(if proj.is_empty() { "(none)" } else { proj })
        );
    }
    s += "</ul><h3>Newest occurrences</h3><table class=\"timeline\"><tbody>";
    for i in &p.samples {
        s += &item_row(i, r, true);
    }
    s += "</tbody></table><h3>Alerts</h3>";
    s += &alert_table(&p.alerts);
    s += "</section>";
    Ok(s)
}

fn alert_table(rows: &[hookwatch_view::AlertItem]) -> String {
    let mut s = String::from("<table data-table=\"alert-history\"><thead><tr><th>routed</th><th>route</th><th>target</th><th>state</th><th>reason</th><th>event</th></tr></thead><tbody>");
    for a in rows {
        let _ = write!(s, "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><a href=\"/event/{}\">{}</a></td></tr>", html::time(a.routed_us), esc(&a.route), esc(&a.target), esc(&a.state), esc(a.reason.as_deref().unwrap_or("")), a.event_id, a.event_id);
    }
    if rows.is_empty() {
        s += "<tr><td colspan=\"6\" class=\"empty\">no alerts</td></tr>";
    }
    s += "</tbody></table>";
    s
}

fn event(v: &View, r: &Req, id: i64) -> Result<String, ViewError> {
    let Some(e) = v.event(id)? else {
        return Ok(format!("<p class=\"empty\">No event {id}.</p>"));
    };
    let mut s = format!(
        "<section><h2>Event {id}: {}</h2><p class=\"meta\">",
        esc(&e.item.event)
    );
    if let Some(sid) = &e.session_id {
        let _ = write!(
            s,
            "session <a href=\"/session/{}{}\">{}</a> · ",
            url(sid),
            esc(&keep(r, &["session", "q", "stack", "bucket"])),
            esc(sid)
        );
    }
    if let Some(fp) = e.item.fingerprint.as_deref().filter(|fp| *fp != "-") {
        let _ = write!(
            s,
            "failure <a href=\"/fingerprint/{}\">{}</a> · ",
            url(fp),
            esc(fp)
        );
    }
    let _ = write!(
        s,
        "{} · {} · {} bytes{}</p>",
        esc(e.project.as_deref().unwrap_or("")),
        html::time(e.item.time_us),
        e.original_size,
        if e.truncated {
            " (stored truncated)"
        } else {
            ""
        }
    );
    s += "<table class=\"timeline\"><tbody>";
    s += &item_row(&e.item, r, true);
    s += "</tbody></table>";
    if let Some(o) = &e.outcome {
        let _ = write!(
            s,
            "<h3>hookwatch's answer</h3><pre data-outcome>{}</pre>",
            esc(&serde_json::to_string_pretty(o).unwrap_or_default())
        );
    }
    if let Some(pe) = &e.parse_error {
        let _ = write!(s, "<p class=\"err\">Not JSON: {}</p>", esc(pe));
    }
    let _ = write!(
        s,
        "<h3>Payload (scrubbed)</h3><pre data-payload>{}</pre>",
        esc(&e.payload)
    );
    if !e.alerts.is_empty() {
        s += "<h3>Alerts</h3>";
        s += &alert_table(&e.alerts);
    }
    s += "</section>";
    Ok(s)
}

fn search(v: &View, r: &Req, f: &Filter) -> Result<String, ViewError> {
    let q = r.get("q").unwrap_or("");
    let mut s = format!(
        "<section><h2>Search</h2><form method=\"get\" action=\"/search\" class=\"search\"><input type=\"search\" name=\"q\" value=\"{}\" placeholder=\"error text or command, e.g. ECONNREFUSED or cargo test\" autofocus>{}<button>Search</button></form>",
        esc(q),
        ["range", "project", "tool", "class", "session"].iter().filter_map(|k| r.get(k).map(|val| format!("<input type=\"hidden\" name=\"{k}\" value=\"{}\">", esc(val)))).collect::<String>()
    );
    if !q.trim().is_empty() {
        let hits = v.search(q, f, now_us(), 100)?;
        let _ = write!(s, "<p class=\"meta\"><span data-figure=\"hits\">{}</span> matching events{}</p><table class=\"timeline\" data-table=\"hits\"><tbody>", hits.len(), if hits.len() == 100 { " (the newest 100)" } else { "" });
        for h in &hits {
            s += &item_row(&h.item, r, true);
        }
        s += "</tbody></table>";
    }
    s += "</section>";
    Ok(s)
}

fn alerts(state: &State, v: &View) -> Result<String, ViewError> {
    let ro = state.cfg.read_only;
    let csrf = format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        esc(&state.csrf)
    );
    let button = |action: String, label: &str| {
        if ro {
            String::new()
        } else {
            format!("<form method=\"post\" action=\"{}\" class=\"inline\">{csrf}<button>{label}</button></form>", esc(&action))
        }
    };
    let mut s = String::from("<section><h2>Silences</h2>");
    if !ro {
        let _ = write!(
            s,
            "<form method=\"post\" action=\"/silences\" class=\"silence\" data-form=\"silence\">{csrf}<label>Matchers <input name=\"matchers\" placeholder=\"tool=Bash session=abc123\" required></label><label>For <input name=\"duration\" value=\"2h\" size=\"5\"></label><label>Why <input name=\"comment\" required placeholder=\"flaky CI network, fixing\"></label><button>Add silence</button></form>"
        );
    }
    s += "<table data-table=\"silences\"><thead><tr><th>id</th><th>matchers</th><th>from</th><th>until</th><th>by</th><th>why</th><th></th></tr></thead><tbody>";
    let now = now_us();
    let silences = v.silences(Some(now))?;
    for x in &silences {
        let _ = write!(s, "<tr data-silence=\"{}\"><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", x.id, x.id, esc(&x.matchers.join(" ")), html::time(x.starts_us), html::time(x.ends_us), esc(&x.created_by), esc(&x.comment), button(format!("/silences/{}/expire", x.id), "Expire"));
    }
    if silences.is_empty() {
        s += "<tr><td colspan=\"7\" class=\"empty\">no active silences</td></tr>";
    }
    s += "</tbody></table></section>";

    s += "<section><h2>Notifications</h2><table data-table=\"outbox\"><thead><tr><th>id</th><th>target</th><th>kind</th><th>title</th><th>state</th><th class=\"n\">attempts</th><th>last error</th><th></th></tr></thead><tbody>";
    let notes = v.notifications(None, 100)?;
    for n in &notes {
        let retry = if n.state == "dead" {
            button(format!("/notifications/{}/retry", n.id), "Retry")
        } else {
            String::new()
        };
        let _ = write!(s, "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td><td>{retry}</td></tr>", if n.state == "dead" { "failure" } else { "" }, n.id, esc(&n.target), esc(&n.kind), esc(&html::cut(&n.title, 80)), esc(&n.state), n.attempts, esc(&html::cut(n.last_error.as_deref().unwrap_or(""), 80)));
    }
    if notes.is_empty() {
        s += "<tr><td colspan=\"8\" class=\"empty\">the outbox is empty</td></tr>";
    }
    s += "</tbody></table></section>";

    s += "<section><h2>Routed alerts</h2>";
    s += &alert_table(&v.alerts(None, 100)?);
    s += "</section>";

    s += "<section><h2>Recovery jobs</h2><table data-table=\"jobs\"><thead><tr><th>id</th><th>session</th><th>error</th><th>kind</th><th>state</th><th class=\"n\">attempt</th><th>due</th><th>outcome</th><th></th></tr></thead><tbody>";
    let jobs = v.jobs(None, 100)?;
    for j in &jobs {
        let cancel = if j.state == "scheduled" {
            button(format!("/jobs/{}/cancel", j.id), "Cancel")
        } else {
            String::new()
        };
        let _ = write!(s, "<tr><td>{}</td><td><a href=\"/session/{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{cancel}</td></tr>", j.id, url(&j.session), esc(&html::cut(&j.session, 14)), esc(&j.error_type), esc(&j.kind), esc(&j.state), j.attempt, j.due_us.map(html::time).unwrap_or_default(), esc(&html::cut(j.outcome.as_deref().unwrap_or(""), 100)));
    }
    if jobs.is_empty() {
        s += "<tr><td colspan=\"9\" class=\"empty\">no recovery jobs</td></tr>";
    }
    s += "</tbody></table></section>";
    Ok(s)
}

pub(crate) fn post(state: &State, r: &Req, form: &HashMap<String, String>) -> Reply {
    let a = &state.actions;
    let path = r.path.as_str();
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let result: Result<String, String> = match parts.as_slice() {
        ["silences"] => {
            let matchers: Vec<String> = form
                .get("matchers")
                .map(|m| m.split_whitespace().map(str::to_string).collect())
                .unwrap_or_default();
            let author = form
                .get("author")
                .map(String::as_str)
                .unwrap_or("dashboard");
            a.add_silence(
                &matchers,
                form.get("duration").map(String::as_str).unwrap_or("2h"),
                form.get("comment").map(String::as_str).unwrap_or(""),
                author,
            )
            .map(|id| format!("silence {id} added"))
        }
        ["silences", id, "expire"] => parse_id(id).and_then(|id| {
            a.expire_silence(id)
                .map(|_| format!("silence {id} expired"))
        }),
        ["notifications", id, "retry"] => parse_id(id).and_then(|id| {
            a.retry_notification(id)
                .map(|_| format!("notification {id} queued again"))
        }),
        ["jobs", id, "cancel"] => {
            parse_id(id).and_then(|id| a.cancel_job(id).map(|_| format!("job {id} cancelled")))
        }
        _ => return not_found(),
    };
    let wants_json = r.get("format") == Some("json");
    match result {
        Ok(msg) if wants_json => Reply::Json(200, json!({"ok": true, "message": msg}).to_string()),
        Ok(_) => Reply::Redirect("/alerts".into(), None),
        Err(e) if wants_json => Reply::Json(400, json!({"ok": false, "error": e}).to_string()),
        Err(e) => Reply::Html(400, format!("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>hookwatch</title><link rel=\"icon\" href=\"/assets/icon.svg\" type=\"image/svg+xml\"><link rel=\"stylesheet\" href=\"/assets/app.css\"></head><body><main><p class=\"error\">{}</p><p><a href=\"/alerts\">back</a></p></main></body></html>", esc(&e))),
    }
}

fn parse_id(s: &str) -> Result<i64, String> {
    s.parse().map_err(|_| format!("not an id: {s}"))
}

fn api_get(v: &View, r: &Req, api: &str) -> R {
    let f = r.filter();
    let now = now_us();
    let body = match api {
        "/latest" => json!({"id": v.latest_id()?}),
        "/overview" => json!(v.overview(
            &f,
            r.get("stack")
                .and_then(Stack::parse)
                .unwrap_or(Stack::Class),
            r.get("bucket").and_then(Bucket::parse),
            now
        )?),
        "/sessions" => json!(v.sessions(
            &f,
            now,
            r.get("limit")
                .and_then(|l| l.parse().ok())
                .unwrap_or(50)
                .min(1000),
            0
        )?),
        "/search" => json!(v.search(r.get("q").unwrap_or(""), &f, now, 100)?),
        "/facets" => json!(v.facets()?),
        "/alerts" => {
            json!({"alerts": v.alerts(None, 100)?, "notifications": v.notifications(None, 100)?, "silences": v.silences(Some(now))?, "jobs": v.jobs(None, 100)?})
        }
        _ => {
            if let Some(id) = api.strip_prefix("/session/") {
                json!(v.timeline(&decode_seg(id))?)
            } else if let Some(fp) = api.strip_prefix("/fingerprint/") {
                json!(v.fingerprint(&decode_seg(fp))?)
            } else if let Some(id) = api.strip_prefix("/event/").and_then(|i| i.parse().ok()) {
                json!(v.event(id)?)
            } else {
                return Ok(Reply::Json(
                    404,
                    json!({"error": "no such API"}).to_string(),
                ));
            }
        }
    };
    Ok(Reply::Json(200, body.to_string()))
}
