//! Runs the fixed regression corpus (`tests/corpus/*.txt`, format described
//! at the top of each file) and writes per-rule recall and the false-positive
//! count to `CORPUS_REPORT.md`, which TESTING.md quotes.
//!
//! A positive passes when the scrubbed text equals the original with each
//! marked secret replaced by a marker (`[REDACTED:<expected rule>]` for «…»,
//! any marker for ‹…›): the secret is gone, the right rule named it, and
//! nothing around it was touched. It must pass both as plain text and inside
//! a hook-event JSON document, which must still parse.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use hookwatch_scrub::{rules, scrub};
use serde_json::{json, Value};

struct Positive {
    line: usize,
    rule: String,
    input: String,
    /// Literal pieces and markers of the expected output.
    expected: Vec<Piece>,
    secrets: Vec<String>,
}

#[derive(Clone, Debug)]
enum Piece {
    Text(String),
    Marker(String),
    AnyMarker,
}

fn corpus_lines(name: &str) -> Vec<(usize, String)> {
    let path = format!("{}/tests/corpus/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with("# ") && *l != "#")
        .map(|(i, l)| (i + 1, l.replace('⏎', "\n")))
        .collect()
}

fn positives() -> Vec<Positive> {
    corpus_lines("positives.txt")
        .into_iter()
        .map(|(line, l)| {
            let (rule, text) = l
                .split_once(" | ")
                .unwrap_or_else(|| panic!("positives.txt:{line}: no ` | `"));
            let mut input = String::new();
            let mut expected = Vec::new();
            let mut secrets = Vec::new();
            let mut literal = String::new();
            let mut rest = text;
            while let Some(open) = rest.find(['«', '‹']) {
                let primary = rest[open..].starts_with('«');
                let (open_char, close_char) = if primary {
                    ('«', '»')
                } else {
                    ('‹', '›')
                };
                literal.push_str(&rest[..open]);
                input.push_str(&rest[..open]);
                let after_open = &rest[open + open_char.len_utf8()..];
                let close = after_open
                    .find(close_char)
                    .unwrap_or_else(|| panic!("positives.txt:{line}: unclosed"));
                let secret = &after_open[..close];
                input.push_str(secret);
                secrets.push(secret.to_string());
                expected.push(Piece::Text(std::mem::take(&mut literal)));
                expected.push(if primary {
                    Piece::Marker(format!("[REDACTED:{rule}]"))
                } else {
                    Piece::AnyMarker
                });
                rest = &after_open[close + close_char.len_utf8()..];
            }
            input.push_str(rest);
            expected.push(Piece::Text(rest.to_string()));
            assert!(text.contains('«'), "positives.txt:{line}: no «secret»");
            Positive {
                line,
                rule: rule.to_string(),
                input,
                expected,
                secrets,
            }
        })
        .collect()
}

/// Does `out` match the pieces exactly?
fn matches(out: &str, pieces: &[Piece]) -> bool {
    let mut rest = out;
    for p in pieces {
        match p {
            Piece::Text(t) | Piece::Marker(t) => match rest.strip_prefix(t.as_str()) {
                Some(r) => rest = r,
                None => return false,
            },
            Piece::AnyMarker => {
                let Some(r) = rest.strip_prefix("[REDACTED:") else {
                    return false;
                };
                let Some(end) = r.find(']') else { return false };
                if !r[..end]
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                {
                    return false;
                }
                rest = &r[end + 1..];
            }
        }
    }
    rest.is_empty()
}

/// A PostToolUseFailure-like event carrying `text` where tool output lands.
fn event(text: &str, i: usize) -> Value {
    let mut v = json!({
        "session_id": "3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
        "transcript_path": "/home/dev/.claude/projects/-home-dev-app/3f1c2d4e.jsonl",
        "cwd": "/home/dev/app",
        "hook_event_name": "PostToolUseFailure",
        "tool_name": "Bash",
        "tool_input": { "command": "npm run deploy", "description": "Deploy the app" },
        "tool_use_id": "toolu_01ABCDEFGHJKMNPQRSTUVWXYZ",
    });
    if i.is_multiple_of(2) {
        v["error"] = json!(text);
    } else {
        v["tool_response"] = json!({ "stdout": text, "stderr": "", "interrupted": false });
    }
    v
}

fn event_text(v: &Value, i: usize) -> &str {
    if i.is_multiple_of(2) {
        v["error"].as_str().unwrap()
    } else {
        v["tool_response"]["stdout"].as_str().unwrap()
    }
}

#[derive(Default)]
struct Tally {
    cases: usize,
    text_ok: usize,
    json_ok: usize,
}

#[test]
fn corpus_recall_and_false_positives() {
    let positives = positives();
    let negatives = corpus_lines("negatives.txt");
    let mut per_rule: BTreeMap<&str, Tally> =
        rules().iter().map(|r| (r.id, Tally::default())).collect();
    let mut failures = Vec::new();

    for (i, p) in positives.iter().enumerate() {
        let tally = per_rule
            .get_mut(p.rule.as_str())
            .unwrap_or_else(|| panic!("positives.txt:{}: unknown rule {}", p.line, p.rule));
        tally.cases += 1;

        let out = scrub(p.input.as_bytes());
        let out = String::from_utf8(out.into_owned()).expect("utf-8 in, utf-8 out");
        let secrets_gone = p.secrets.iter().all(|s| !out.contains(s.as_str()));
        if secrets_gone && matches(&out, &p.expected) {
            tally.text_ok += 1;
        } else {
            failures.push(format!(
                "positives.txt:{} [{}] text\n  in:  {:?}\n  out: {:?}",
                p.line, p.rule, p.input, out
            ));
        }

        let doc = serde_json::to_string(&event(&p.input, i)).unwrap();
        let scrubbed = scrub(doc.as_bytes());
        match serde_json::from_slice::<Value>(&scrubbed) {
            Ok(v) => {
                let text = event_text(&v, i);
                let gone = p.secrets.iter().all(|s| !text.contains(s.as_str()));
                let raw_gone = p
                    .secrets
                    .iter()
                    .all(|s| !String::from_utf8_lossy(&scrubbed).contains(s.as_str()));
                if gone && raw_gone && matches(text, &p.expected) {
                    tally.json_ok += 1;
                } else {
                    failures.push(format!(
                        "positives.txt:{} [{}] json\n  in:  {}\n  out: {:?}",
                        p.line, p.rule, doc, text
                    ));
                }
            }
            Err(e) => failures.push(format!(
                "positives.txt:{} [{}] json no longer parses: {e}\n  out: {}",
                p.line,
                p.rule,
                String::from_utf8_lossy(&scrubbed)
            )),
        }
    }

    let mut false_positives = 0;
    for (line, text) in &negatives {
        let (out, findings) = hookwatch_scrub::scrub_with_report(text.as_bytes());
        if out.as_ref() != text.as_bytes() {
            false_positives += 1;
            let what: Vec<_> = findings
                .iter()
                .map(|f| format!("{} {:?}", f.rule, &text[f.start..f.end]))
                .collect();
            failures.push(format!(
                "negatives.txt:{line} false positive: {what:?}\n  in: {text:?}"
            ));
        }
    }

    write_report(&per_rule, positives.len(), negatives.len(), false_positives);
    for (id, t) in &per_rule {
        if t.cases < 3 {
            failures.push(format!(
                "rule {id} has {} positive cases; the corpus needs at least 3 per rule",
                t.cases
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} corpus failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn write_report(
    per_rule: &BTreeMap<&str, Tally>,
    positives: usize,
    negatives: usize,
    false_positives: usize,
) {
    let (cases, text_ok, json_ok) = per_rule.values().fold((0, 0, 0), |(c, t, j), r| {
        (c + r.cases, t + r.text_ok, j + r.json_ok)
    });
    let pct = |ok: usize, n: usize| {
        if n == 0 {
            "-".to_string()
        } else {
            format!("{:.1} %", 100.0 * ok as f64 / n as f64)
        }
    };
    let mut md = String::new();
    md.push_str("# Secret-scrubbing corpus report\n\n");
    md.push_str("Generated by `cargo test -p hookwatch-scrub --test corpus`; do not edit.\n");
    md.push_str("Corpus: `crates/scrub/tests/corpus/positives.txt` and `negatives.txt` (fake secrets only).\n\n");
    let _ = writeln!(
        md,
        "- positive cases: {positives} over {} rules",
        per_rule.len()
    );
    let _ = writeln!(
        md,
        "- recall as plain text: {text_ok}/{cases} ({})",
        pct(text_ok, cases)
    );
    let _ = writeln!(
        md,
        "- recall inside hook-event JSON (and the JSON still parses): {json_ok}/{cases} ({})",
        pct(json_ok, cases)
    );
    let _ = writeln!(
        md,
        "- hard negatives: {negatives}, false positives: {false_positives}\n"
    );
    md.push_str("| rule | cases | recall (text) | recall (JSON) |\n|---|---:|---:|---:|\n");
    for r in rules() {
        let t = &per_rule[r.id];
        let _ = writeln!(
            md,
            "| `{}` | {} | {} | {} |",
            r.id,
            t.cases,
            pct(t.text_ok, t.cases),
            pct(t.json_ok, t.cases)
        );
    }
    let path = format!("{}/CORPUS_REPORT.md", env!("CARGO_MANIFEST_DIR"));
    std::fs::write(&path, md).unwrap_or_else(|e| panic!("{path}: {e}"));
}
