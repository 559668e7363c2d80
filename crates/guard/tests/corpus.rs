//! Runs tests/corpus/{dangerous,benign}.txt and writes tests/corpus/REPORT.md.

use hookwatch_guard::{AssumeWorst, Decision, Guard, GuardConfig, Request, Verdict};
use serde_json::json;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const CWD: &str = "/home/dev/proj";
const HOME: &str = "/home/dev";

struct Case {
    line: usize,
    /// Policy expected to deny it (`#@expect <id>` above it), dangerous.txt only.
    expect: Option<String>,
    text: String,
    tool: String,
    input: serde_json::Value,
}

/// `\n` → newline, `\t` → tab, `\\n` → literal backslash-n; other backslashes kept.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && b.get(i + 1) == Some(&b'\\') && b.get(i + 2) == Some(&b'n') {
            out.push_str("\\n");
            i += 3;
        } else if b[i] == b'\\' && b.get(i + 1) == Some(&b'n') {
            out.push('\n');
            i += 2;
        } else if b[i] == b'\\' && b.get(i + 1) == Some(&b't') {
            out.push('\t');
            i += 2;
        } else {
            let ch = s[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

fn load(name: &str) -> Vec<Case> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut cases = Vec::new();
    let mut expect: Option<String> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        if let Some(p) = line.strip_prefix("#@expect ") {
            expect = Some(p.trim().to_string());
            continue;
        }
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('@') {
            let (tool, path) = rest.split_once(' ').expect("@Tool path");
            let field = if tool == "NotebookEdit" {
                "notebook_path"
            } else {
                "file_path"
            };
            cases.push(Case {
                line: i + 1,
                expect: expect.clone(),
                text: line.to_string(),
                tool: tool.to_string(),
                input: json!({ field: path.trim(), "content": "x" }),
            });
        } else {
            cases.push(Case {
                line: i + 1,
                expect: expect.clone(),
                text: line.to_string(),
                tool: "Bash".into(),
                input: json!({ "command": unescape(line) }),
            });
        }
    }
    cases
}

fn run(guard: &Guard, c: &Case) -> Option<Verdict> {
    let dirs = [PathBuf::from("/home/dev/.config/hookwatch")];
    let req = Request {
        tool_name: &c.tool,
        tool_input: &c.input,
        cwd: CWD,
        project_dir: Some(CWD),
        home: Some(HOME),
        protected_dirs: &dirs,
    };
    let out = guard.evaluate(&req, &AssumeWorst);
    assert!(
        out.errors.is_empty(),
        "line {}: {:?}: {:?}",
        c.line,
        c.text,
        out.errors
    );
    out.verdict
}

#[test]
fn corpus() {
    let guard = Guard::new(&GuardConfig::default()).unwrap();
    let dangerous = load("dangerous.txt");
    let benign = load("benign.txt");

    let mut per_policy: BTreeMap<String, usize> = BTreeMap::new();
    let mut misses = Vec::new();
    for c in &dangerous {
        // `#@expect ask:<policy>`: asked about (the person decides), not denied.
        let wants_ask = c.expect.as_deref().and_then(|e| e.strip_prefix("ask:"));
        match run(&guard, c) {
            Some(v) if wants_ask.is_some() && v.decision == Decision::Ask => {
                if wants_ask != Some(v.policy.as_str()) {
                    misses.push(format!(
                        "dangerous.txt:{}: {}  => asked by {} but expected {}",
                        c.line,
                        c.text,
                        v.policy,
                        c.expect.as_deref().unwrap_or("")
                    ));
                }
                *per_policy.entry(format!("{} (ask)", v.policy)).or_default() += 1;
            }
            Some(v) if wants_ask.is_none() && v.decision == Decision::Deny => {
                assert!(!v.reason.is_empty());
                if c.expect.as_ref().is_some_and(|e| *e != v.policy) {
                    misses.push(format!(
                        "dangerous.txt:{}: {}  => denied by {} but expected {}",
                        c.line,
                        c.text,
                        v.policy,
                        c.expect.as_deref().unwrap_or("")
                    ));
                }
                *per_policy.entry(v.policy).or_default() += 1;
            }
            other => misses.push(format!(
                "dangerous.txt:{}: {}  => {:?}",
                c.line, c.text, other
            )),
        }
    }
    let mut false_blocks = Vec::new();
    let mut benign_tools = 0;
    for c in &benign {
        if c.tool != "Bash" {
            benign_tools += 1;
        }
        match run(&guard, c) {
            None => {}
            Some(v) if v.decision == Decision::Allow => {}
            Some(v) => false_blocks.push(format!(
                "benign.txt:{}: {}  => {} ({})",
                c.line, c.text, v.policy, v.reason
            )),
        }
    }

    let caught = dangerous.len()
        - misses
            .iter()
            .filter(|m| !m.contains("but expected"))
            .count();
    let recall = 100.0 * caught as f64 / dangerous.len() as f64;
    let fp = 100.0 * false_blocks.len() as f64 / benign.len() as f64;
    let mut r = String::new();
    writeln!(r, "# hookwatch-guard corpus report\n").unwrap();
    writeln!(
        r,
        "Generated by `cargo test -p hookwatch-guard --test corpus` (default GuardConfig, cwd = project = {CWD}, home = {HOME}, git probe = AssumeWorst).\n"
    )
    .unwrap();
    writeln!(r, "| set | cases | blocked | rate |").unwrap();
    writeln!(r, "|---|---:|---:|---:|").unwrap();
    writeln!(
        r,
        "| dangerous.txt | {} | {} | recall {:.1}% |",
        dangerous.len(),
        caught,
        recall
    )
    .unwrap();
    writeln!(
        r,
        "| benign.txt | {} ({} file-tool) | {} | false-block {:.1}% |\n",
        benign.len(),
        benign_tools,
        false_blocks.len(),
        fp
    )
    .unwrap();
    writeln!(r, "## Denials per policy (dangerous.txt)\n").unwrap();
    writeln!(r, "| policy | denied |").unwrap();
    writeln!(r, "|---|---:|").unwrap();
    for (p, n) in &per_policy {
        writeln!(r, "| {p} | {n} |").unwrap();
    }
    if !misses.is_empty() || !false_blocks.is_empty() {
        writeln!(r, "\n## Failures\n").unwrap();
        for m in misses.iter().chain(&false_blocks) {
            writeln!(r, "- `{m}`").unwrap();
        }
    }
    let report = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/REPORT.md");
    std::fs::write(report, &r).unwrap();
    println!("{r}");

    assert!(dangerous.len() >= 170 && benign.len() >= 170);
    assert!(
        misses.is_empty() && false_blocks.is_empty(),
        "missed dangerous:\n{}\n\nfalse blocks:\n{}",
        misses.join("\n"),
        false_blocks.join("\n")
    );
}
