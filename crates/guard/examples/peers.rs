//! Measures the PreToolUse guard on peer guards' own test cases (JSONL files
//! kept outside this repository, see `scripts/guard-peers`):
//!
//! `cargo run -p hookwatch-guard --example peers -- FILE.jsonl [FILE2.jsonl ...] [--json OUT.json]`
//!
//! Each line is `{"command", "expected": "deny"|"allow", "source", "note",
//! "categories": [...], optional "cwd", optional "git_listed"}`. Every command
//! is decided (never run) by `Guard::new(&GuardConfig::default())` with the
//! real git probe, in a real repository built here with the git CLI: a few
//! commits on `main` pushed to a bare `origin`, an unmerged branch `feature`,
//! a stash entry, a modified tracked file and an untracked file; HOME is a
//! temporary directory with `.ssh`, `.config`, `Documents` and `projects`.
//!
//! A Deny or an Ask counts as "stopped"; no verdict or Allow as "passed".
//! The case's `cwd` picks the request's cwd: `project` (or none) the project,
//! `home` the temporary HOME, `tmp` /tmp, `unknown` an empty string (what the
//! hook passes on when Claude Code sends `"cwd": ""`). The project dir is
//! always the project.

use hookwatch_guard::{Decision, Guard, GuardConfig, RealGit, Request};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn usage() -> ! {
    eprintln!("usage: peers FILE.jsonl [FILE2.jsonl ...] [--json OUT.json]");
    std::process::exit(2)
}

/// git with a clean environment (as crates/guard/tests/realgit.rs runs it).
fn git(dir: &Path, home: &Path, args: &[&str]) {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("LC_ALL", "C")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", home)
        .output()
        .unwrap_or_else(|e| {
            eprintln!("peers: cannot run git ({e}): install git to run this harness");
            std::process::exit(1)
        });
    if !out.status.success() {
        eprintln!(
            "peers: git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::process::exit(1);
    }
}

fn write(path: &Path, text: &str) {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

struct Setup {
    project: PathBuf,
    home: PathBuf,
    tmp: PathBuf,
    origin: PathBuf,
}

fn setup(root: &Path) -> Setup {
    // The project inside the home directory, as on a developer's machine,
    // and neither under /tmp (whose deletion would otherwise "contain the
    // project").
    let home = root.join("home");
    let project = home.join("proj");
    let tmp = root.join("tmp");
    let origin = root.join("origin.git");
    for d in [".ssh", ".config", "Documents", "projects"] {
        std::fs::create_dir_all(home.join(d)).expect("mkdir home");
    }
    write(&home.join(".ssh/known_hosts"), "");
    write(&home.join(".config/app.toml"), "x = 1\n");
    write(&home.join("Documents/notes.txt"), "notes\n");
    write(&home.join("projects/other/README.md"), "other\n");
    std::fs::create_dir_all(&tmp).expect("mkdir tmp");
    std::fs::create_dir_all(&project).expect("mkdir project");

    git(
        root,
        &home,
        &["init", "-q", "--bare", origin.to_str().unwrap()],
    );
    git(&project, &home, &["init", "-q", "-b", "main"]);
    write(&project.join("README.md"), "# app\n");
    // The file names the peers' cases use, tracked.
    for f in [
        "file.txt",
        "a.txt",
        "b.txt",
        "file1.txt",
        "file2.txt",
        "foo",
    ] {
        write(&project.join(f), "v1\n");
    }
    write(&project.join(".gitignore"), "target/\n*.log\n");
    git(&project, &home, &["add", "."]);
    git(&project, &home, &["commit", "-q", "-m", "init"]);
    write(&project.join("src/main.rs"), "fn main() {}\n");
    write(&project.join("src/lib.rs"), "pub fn f() {}\n");
    git(&project, &home, &["add", "src"]);
    git(&project, &home, &["commit", "-q", "-m", "src"]);
    write(&project.join("docs/guide.md"), "guide\n");
    git(&project, &home, &["add", "docs"]);
    git(&project, &home, &["commit", "-q", "-m", "docs"]);
    git(
        &project,
        &home,
        &["remote", "add", "origin", origin.to_str().unwrap()],
    );
    git(&project, &home, &["push", "-q", "-u", "origin", "main"]);

    // Unmerged branch: commits that exist nowhere else.
    git(&project, &home, &["checkout", "-q", "-b", "feature"]);
    write(&project.join("src/feature.rs"), "pub fn g() {}\n");
    git(&project, &home, &["add", "src/feature.rs"]);
    git(&project, &home, &["commit", "-q", "-m", "feature 1"]);
    write(&project.join("src/feature.rs"), "pub fn g() { 1; }\n");
    git(&project, &home, &["commit", "-q", "-am", "feature 2"]);
    git(&project, &home, &["checkout", "-q", "main"]);

    // A stash entry, then a dirty tracked file, an untracked file and an ignored one.
    write(&project.join("README.md"), "# app\nstashed\n");
    git(&project, &home, &["stash", "push", "-q", "-m", "wip"]);
    write(
        &project.join("src/main.rs"),
        "fn main() { println!(\"edit\"); }\n",
    );
    write(&project.join("notes.txt"), "untracked\n");
    write(&project.join("build.log"), "ignored\n");
    Setup {
        project,
        home,
        tmp,
        origin,
    }
}

#[derive(Default, Clone, Copy)]
struct Tally {
    dangerous: usize,
    stopped: usize,
    safe: usize,
    wrongly_stopped: usize,
}

impl Tally {
    fn add(&mut self, dangerous: bool, stopped: bool) {
        if dangerous {
            self.dangerous += 1;
            self.stopped += usize::from(stopped);
        } else {
            self.safe += 1;
            self.wrongly_stopped += usize::from(stopped);
        }
    }
    fn json(&self) -> Value {
        json!({
            "dangerous": self.dangerous,
            "dangerous_stopped": self.stopped,
            "safe": self.safe,
            "safe_stopped": self.wrongly_stopped,
        })
    }
    fn line(&self, label: &str) -> String {
        format!(
            "  {label:<10} dangerous stopped {:>4} / {:<4} {:>6}   safe wrongly stopped {:>4} / {:<4} {:>6}",
            self.stopped,
            self.dangerous,
            pct(self.stopped, self.dangerous),
            self.wrongly_stopped,
            self.safe,
            pct(self.wrongly_stopped, self.safe),
        )
    }
}

fn pct(n: usize, d: usize) -> String {
    if d == 0 {
        "-".into()
    } else {
        format!("{:.1}%", 100.0 * n as f64 / d as f64)
    }
}

/// A command on one line: newlines, tabs and other controls escaped.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\n' => "\\n".to_string(),
            '\t' => "\\t".to_string(),
            c if c.is_control() => c.escape_default().to_string(),
            c => c.to_string(),
        })
        .collect()
}

fn decision_str(d: Decision) -> &'static str {
    match d {
        Decision::Allow => "allow",
        Decision::Ask => "ask",
        Decision::Deny => "deny",
    }
}

fn main() {
    let mut files = Vec::new();
    let mut json_out = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--json" => json_out = Some(args.next().unwrap_or_else(|| usage())),
            "-h" | "--help" => usage(),
            _ => files.push(a),
        }
    }
    if files.is_empty() {
        usage();
    }
    // Read everything first: a missing or broken file fails before any setup.
    let mut inputs = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_else(|e| {
            eprintln!("peers: cannot read {f}: {e}");
            std::process::exit(1)
        });
        let mut cases = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let v: Value = serde_json::from_str(line).unwrap_or_else(|e| {
                eprintln!("peers: {f}:{}: {e}", i + 1);
                std::process::exit(1)
            });
            let ok = v["command"].is_string()
                && matches!(v["expected"].as_str(), Some("deny" | "allow"))
                && v["categories"].is_array();
            if !ok {
                eprintln!(
                    "peers: {f}:{}: needs command, expected deny|allow, categories",
                    i + 1
                );
                std::process::exit(1);
            }
            cases.push((i + 1, v));
        }
        inputs.push((f.clone(), cases));
    }

    // Not under /tmp: see setup.
    let base = std::env::current_dir()
        .expect("cwd")
        .join("target/guard-peers");
    std::fs::create_dir_all(&base).expect("mkdir target/guard-peers");
    let root = tempfile::Builder::new()
        .prefix("hookwatch-peers.")
        .tempdir_in(&base)
        .expect("temp dir");
    let s = setup(root.path());
    // The guard never runs a command; still, nothing here may reach the real home.
    // (Edition 2021: set_var is safe; no other thread exists yet.)
    std::env::set_var("HOME", &s.home);
    // What an agent's shell has: the guard reads TMPDIR for `$TMPDIR`.
    std::env::set_var("TMPDIR", "/tmp");
    std::env::set_var("GIT_CONFIG_NOSYSTEM", "1");
    for v in [
        "XDG_CONFIG_HOME",
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_CONFIG_GLOBAL",
    ] {
        std::env::remove_var(v);
    }

    let guard = Guard::new(&GuardConfig::default()).expect("default config");
    let probe = RealGit::new(Duration::from_secs(10));
    let project = s.project.to_str().expect("utf-8 temp path").to_string();
    let home = s.home.to_str().expect("utf-8 temp path").to_string();

    let mut report = Vec::new();
    let mut out_files = Vec::new();
    let mut any_errors = 0usize;
    for (f, cases) in &inputs {
        let name = Path::new(f)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| f.clone());
        let mut total = Tally::default();
        let mut per_cat: BTreeMap<String, Tally> = BTreeMap::new();
        let mut results = Vec::new();
        let mut disagreements = Vec::new();
        for (line, c) in cases {
            let cmd = c["command"].as_str().unwrap();
            let dangerous = c["expected"] == "deny";
            let cwd = match c["cwd"].as_str() {
                None | Some("project") => project.clone(),
                Some("home") => home.clone(),
                Some("tmp") => "/tmp".to_string(),
                Some("unknown") => String::new(),
                Some(other) => {
                    eprintln!("peers: {f}:{line}: unknown cwd {other:?}, using the project");
                    project.clone()
                }
            };
            let input = json!({ "command": cmd });
            let req = Request {
                tool_name: "Bash",
                tool_input: &input,
                cwd: &cwd,
                project_dir: Some(&project),
                home: Some(&home),
                protected_dirs: &[],
            };
            let out = guard.evaluate(&req, &probe);
            any_errors += out.errors.len();
            let decision = out.verdict.as_ref().map(|v| v.decision);
            let stopped = matches!(decision, Some(Decision::Deny | Decision::Ask));
            total.add(dangerous, stopped);
            let cats: Vec<String> = c["categories"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect();
            for cat in &cats {
                per_cat
                    .entry(cat.clone())
                    .or_default()
                    .add(dangerous, stopped);
            }
            let agree = stopped == dangerous;
            let mut r = Map::new();
            r.insert("line".into(), json!(line));
            for k in [
                "command",
                "expected",
                "source",
                "note",
                "categories",
                "cwd",
                "git_listed",
            ] {
                if !c[k].is_null() {
                    r.insert(k.into(), c[k].clone());
                }
            }
            r.insert(
                "decision".into(),
                json!(decision.map(decision_str).unwrap_or("none")),
            );
            r.insert(
                "policy".into(),
                json!(out.verdict.as_ref().map(|v| v.policy.clone())),
            );
            r.insert(
                "reason".into(),
                json!(out.verdict.as_ref().map(|v| v.reason.clone())),
            );
            r.insert("stopped".into(), json!(stopped));
            r.insert("agree".into(), json!(agree));
            if !out.errors.is_empty() {
                r.insert("errors".into(), json!(out.errors));
            }
            let r = Value::Object(r);
            if !agree {
                disagreements.push(r.clone());
            }
            results.push(r);
        }

        report.push(format!("== {name} ({} cases)", cases.len()));
        report.push(total.line("all"));
        for (cat, t) in &per_cat {
            report.push(t.line(cat));
        }
        report.push(format!("  disagreements: {}", disagreements.len()));
        for d in &disagreements {
            let ours = match d["policy"].as_str() {
                Some(p) => format!("{} {p}", d["decision"].as_str().unwrap()),
                None => "none".into(),
            };
            let mut extra = String::new();
            if let Some(cwd) = d["cwd"].as_str().filter(|c| *c != "project") {
                extra.push_str(&format!(" cwd={cwd}"));
            }
            if let Some(e) = d["errors"].as_array() {
                extra.push_str(&format!(" errors={e:?}"));
            }
            report.push(format!(
                "  - [expected {}, ours {ours}{extra}] {}",
                d["expected"].as_str().unwrap(),
                one_line(d["command"].as_str().unwrap()),
            ));
            report.push(format!(
                "      {} | {}",
                d["source"].as_str().unwrap_or("?"),
                d["note"].as_str().unwrap_or(""),
            ));
        }
        report.push(String::new());

        let cats_json: Map<String, Value> =
            per_cat.iter().map(|(k, t)| (k.clone(), t.json())).collect();
        out_files.push(json!({
            "file": f,
            "name": name,
            "cases": cases.len(),
            "total": total.json(),
            "categories": cats_json,
            "disagreements": disagreements,
            "results": results,
        }));
    }
    println!(
        "hookwatch guard (default config, real git probe) on peer guards' test cases\n\
         repo: {} (main pushed to {}, unmerged `feature`, 1 stash, dirty tracked + untracked file)\n\
         home: {}\n\
         stopped = deny or ask; passed = no verdict or allow\n",
        s.project.display(),
        s.origin.display(),
        s.home.display(),
    );
    for l in &report {
        println!("{l}");
    }
    if any_errors > 0 {
        println!("internal policy errors (fail open): {any_errors}, see the cases' errors");
    }
    if let Some(path) = json_out {
        let doc = json!({
            "guard_config": "default",
            "git_probe": "RealGit (10 s timeout)",
            "stopped_means": ["deny", "ask"],
            "setup": {
                "project": s.project,
                "origin": s.origin,
                "home": s.home,
                "tmpdir": s.tmp,
                "project_state": "3 commits on main pushed to origin; branch feature with 2 unmerged commits; 1 stash entry; src/main.rs modified; notes.txt untracked; build.log ignored",
                "home_subdirs": [".ssh", ".config", "Documents", "projects"],
                "cwd_mapping": {"project": "project dir", "home": "temp HOME", "tmp": "/tmp", "unknown": "\"\""},
            },
            "files": out_files,
        });
        let text = serde_json::to_string_pretty(&doc).expect("json");
        std::fs::write(&path, text + "\n").unwrap_or_else(|e| {
            eprintln!("peers: cannot write {path}: {e}");
            std::process::exit(1)
        });
        eprintln!("wrote {path}");
    }
}
