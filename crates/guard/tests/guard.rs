//! Public-API tests: combination, user rules, fail modes, config errors,
//! policies' edges, and bounded work on hostile input.

use hookwatch_guard::{
    AssumeWorst, Decision, GitProbe, Guard, GuardConfig, Outcome, Request, UserRule,
};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const CWD: &str = "/home/dev/proj";

fn dirs() -> Vec<PathBuf> {
    vec![PathBuf::from("/home/dev/.config/hookwatch")]
}

fn eval_with(guard: &Guard, tool: &str, input: Value, git: &dyn GitProbe) -> Outcome {
    let d = dirs();
    let req = Request {
        tool_name: tool,
        tool_input: &input,
        cwd: CWD,
        project_dir: Some(CWD),
        home: Some("/home/dev"),
        protected_dirs: &d,
    };
    guard.evaluate(&req, git)
}

fn bash(guard: &Guard, cmd: &str) -> Outcome {
    eval_with(guard, "Bash", json!({ "command": cmd }), &AssumeWorst)
}

fn policy(o: &Outcome) -> Option<(Decision, String)> {
    o.verdict.as_ref().map(|v| (v.decision, v.policy.clone()))
}

fn deny(p: &str) -> Option<(Decision, String)> {
    Some((Decision::Deny, p.to_string()))
}

fn default_guard() -> Guard {
    Guard::new(&GuardConfig::default()).unwrap()
}

fn rule(name: &str, f: impl FnOnce(&mut UserRule)) -> UserRule {
    let mut r = UserRule {
        name: name.into(),
        ..UserRule::default()
    };
    f(&mut r);
    r
}

/// A probe whose every question fails.
struct Broken;
impl GitProbe for Broken {
    fn current_branch(&self, _: &Path) -> Option<String> {
        None
    }
    fn has_uncommitted_changes(&self, _: &Path) -> Result<bool, String> {
        Err("probe broke".into())
    }
    fn has_unpushed_commits(&self, _: &Path) -> Result<bool, String> {
        Err("probe broke".into())
    }
    fn has_untracked_files(&self, _: &Path, _: bool) -> Result<bool, String> {
        Err("probe broke".into())
    }
}

/// A clean repository on `feature`.
struct Clean;
impl GitProbe for Clean {
    fn current_branch(&self, _: &Path) -> Option<String> {
        Some("feature".into())
    }
    fn has_uncommitted_changes(&self, _: &Path) -> Result<bool, String> {
        Ok(false)
    }
    fn has_unpushed_commits(&self, _: &Path) -> Result<bool, String> {
        Ok(false)
    }
    fn has_untracked_files(&self, _: &Path, _: bool) -> Result<bool, String> {
        Ok(false)
    }
}

#[test]
fn verdict_carries_command_and_reason() {
    let o = bash(&default_guard(), "sudo /bin/rm -rf -- /");
    let v = o.verdict.unwrap();
    assert_eq!(v.decision, Decision::Deny);
    assert_eq!(v.policy, "rm-root");
    assert_eq!(v.command.as_deref(), Some("rm -rf -- /"));
    assert!(v.reason.contains("rm -rf ./build"), "{}", v.reason);
    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(json["decision"], "deny");
}

#[test]
fn decision_order_and_serde() {
    assert!(Decision::Deny > Decision::Ask && Decision::Ask > Decision::Allow);
    let d: Decision = serde_json::from_str("\"ask\"").unwrap();
    assert_eq!(d, Decision::Ask);
}

#[test]
fn user_rules_first_match_wins() {
    let cfg = GuardConfig {
        rules: vec![
            rule("ask-npm-publish", |r| {
                r.command = Some("npm publish*".into());
                r.decision = Decision::Ask;
            }),
            rule("deny-npm", |r| {
                r.command = Some("npm *".into());
                r.decision = Decision::Deny;
                r.reason = Some("no npm here".into());
            }),
        ],
        ..GuardConfig::default()
    };
    let g = Guard::new(&cfg).unwrap();
    assert_eq!(
        policy(&bash(&g, "npm publish --tag next")),
        Some((Decision::Ask, "rule:ask-npm-publish".into()))
    );
    let o = bash(&g, "sudo npm install");
    assert_eq!(policy(&o), deny("rule:deny-npm"));
    assert_eq!(o.verdict.unwrap().reason, "no npm here");
    assert_eq!(policy(&bash(&g, "ls")), None);
}

#[test]
fn allow_exempts_only_that_simple_command() {
    let cfg = GuardConfig {
        rules: vec![rule("tmp-cleanup", |r| {
            r.tool = Some("Bash".into());
            r.command = Some("rm -rf /tmp/*".into());
            r.decision = Decision::Allow;
        })],
        ..GuardConfig::default()
    };
    let g = Guard::new(&cfg).unwrap();
    assert_eq!(
        policy(&bash(&g, "rm -rf /tmp/x")),
        Some((Decision::Allow, "rule:tmp-cleanup".into()))
    );
    // Every simple command must be allowed for an Allow.
    assert_eq!(policy(&bash(&g, "rm -rf /tmp/x && ls")), None);
    // The built-ins still judge the other commands.
    assert_eq!(
        policy(&bash(&g, "rm -rf /tmp/x; rm -rf /")),
        deny("rm-root")
    );
}

#[test]
fn user_allow_overrides_builtin_but_not_self_protect() {
    let cfg = GuardConfig {
        rules: vec![rule("yolo", |r| {
            r.command = Some("*".into());
            r.decision = Decision::Allow;
        })],
        ..GuardConfig::default()
    };
    let g = Guard::new(&cfg).unwrap();
    assert_eq!(policy(&bash(&g, "rm -rf /")).unwrap().0, Decision::Allow);
    assert_eq!(
        policy(&bash(&g, "hookwatch guard allow-once x")),
        deny("self-protect")
    );
    let o = eval_with(
        &g,
        "Write",
        json!({"file_path": "/home/dev/.config/hookwatch/config.toml"}),
        &AssumeWorst,
    );
    assert_eq!(policy(&o), deny("self-protect"));
}

#[test]
fn ask_beats_allow_and_none() {
    let cfg = GuardConfig {
        rules: vec![
            rule("ask-docker", |r| {
                r.command = Some("docker *".into());
                r.decision = Decision::Ask;
            }),
            rule("ok-ls", |r| {
                r.command = Some("ls*".into());
                r.decision = Decision::Allow;
            }),
        ],
        ..GuardConfig::default()
    };
    let g = Guard::new(&cfg).unwrap();
    assert_eq!(
        policy(&bash(&g, "ls && docker ps")).unwrap().0,
        Decision::Ask
    );
    assert_eq!(policy(&bash(&g, "docker ps; rm -rf ~")), deny("rm-root"));
}

#[test]
fn path_rules_for_file_tools() {
    let cfg = GuardConfig {
        rules: vec![
            rule("no-lockfiles", |r| {
                r.tool = Some("Write".into());
                r.path = Some("**/package-lock.json".into());
            }),
            rule("ask-home-notes", |r| {
                r.path = Some("~/notes/*".into());
                r.decision = Decision::Ask;
            }),
            rule("src-ok", |r| {
                r.path = Some("src/**".into());
                r.decision = Decision::Allow;
            }),
        ],
        ..GuardConfig::default()
    };
    let g = Guard::new(&cfg).unwrap();
    let w = |tool: &str, p: &str| {
        policy(&eval_with(
            &g,
            tool,
            json!({ "file_path": p }),
            &AssumeWorst,
        ))
    };
    assert_eq!(
        w("Write", "web/package-lock.json"),
        deny("rule:no-lockfiles")
    );
    assert_eq!(w("Edit", "web/package-lock.json"), None);
    assert_eq!(w("Read", "/home/dev/notes/a.md").unwrap().0, Decision::Ask);
    assert_eq!(w("Write", "src/a/b.rs").unwrap().0, Decision::Allow);
}

#[test]
fn regex_compiles_lazily() {
    let cfg = GuardConfig {
        rules: vec![rule("bad", |r| {
            r.tool = Some("Write".into());
            r.command_regex = Some("(unclosed".into());
        })],
        ..GuardConfig::default()
    };
    // Guard::new does not compile regexes: a bad one is not an Err here.
    let g = Guard::new(&cfg).unwrap();
    // Tool glob does not match Bash: the regex is never compiled, no error.
    let o = bash(&g, "echo hi");
    assert!(o.errors.is_empty() && o.verdict.is_none());
    assert!(g.check_regexes().is_err());

    let cfg = GuardConfig {
        rules: vec![rule("bad", |r| {
            r.command_regex = Some("(unclosed".into());
        })],
        ..GuardConfig::default()
    };
    let g = Guard::new(&cfg).unwrap();
    let o = bash(&g, "echo hi");
    assert!(o.verdict.is_none());
    assert!(
        o.errors.iter().any(|e| e.starts_with("rule:bad")),
        "{:?}",
        o.errors
    );

    let mut closed = cfg.clone();
    closed.fail_closed = vec!["rule:bad".into()];
    let o = bash(&Guard::new(&closed).unwrap(), "echo hi");
    assert_eq!(policy(&o), deny("rule:bad"));
}

#[test]
fn good_regex_matches() {
    let cfg = GuardConfig {
        rules: vec![rule("prod-db", |r| {
            r.command_regex = Some(r"psql .*prod".into());
            r.decision = Decision::Ask;
        })],
        ..GuardConfig::default()
    };
    let g = Guard::new(&cfg).unwrap();
    assert_eq!(
        policy(&bash(&g, "env PGX=1 psql -h db.prod.internal"))
            .unwrap()
            .0,
        Decision::Ask
    );
    assert_eq!(policy(&bash(&g, "psql -h localhost")), None);
}

#[test]
fn config_errors_name_the_problem() {
    let bad = |f: fn(&mut GuardConfig)| {
        let mut c = GuardConfig::default();
        f(&mut c);
        Guard::new(&c).err().unwrap()
    };
    assert!(bad(|c| c.disable = vec!["rm-rot".into()]).contains("rm-rot"));
    assert!(bad(|c| c.disable = vec!["self-protect".into()]).contains("self-protect"));
    assert!(bad(|c| c.fail_closed = vec!["rule:nope".into()]).contains("nope"));
    assert!(bad(|c| c.rules = vec![UserRule::default()]).contains("no name"));
    assert!(
        bad(|c| c.rules = vec![rule("x", |r| r.command = Some("a\\".into()))]).contains("\"x\"")
    );
    let toml_like: GuardConfig =
        serde_json::from_value(json!({"disable": ["chmod-world-writable"]})).unwrap();
    assert!(toml_like.enabled);
    assert_eq!(toml_like.protected_branches.len(), 5);
    assert!(serde_json::from_value::<GuardConfig>(json!({"typo": 1})).is_err());
}

#[test]
fn disable_and_enabled() {
    let g = Guard::new(&GuardConfig {
        disable: vec!["rm-root".into()],
        ..GuardConfig::default()
    })
    .unwrap();
    // The asking policies are their own: disabled by name too.
    assert_eq!(
        policy(&bash(&g, "rm -rf /")),
        Some((Decision::Ask, "rm-outside-project".to_string()))
    );
    let g = Guard::new(&GuardConfig {
        disable: vec!["rm-root".into(), "rm-outside-project".into()],
        ..GuardConfig::default()
    })
    .unwrap();
    assert_eq!(policy(&bash(&g, "rm -rf /")), None);
    assert_eq!(policy(&bash(&g, "git push -f")), deny("git-force-push"));
    let off = Guard::new(&GuardConfig {
        enabled: false,
        ..GuardConfig::default()
    })
    .unwrap();
    assert_eq!(policy(&bash(&off, "rm -rf /")), None);
    // Self-protection stays on.
    assert_eq!(
        policy(&bash(&off, "hookwatch uninstall")),
        deny("self-protect")
    );
}

#[test]
fn fail_open_and_fail_closed() {
    let g = default_guard();
    let o = eval_with(&g, "Bash", json!({"command": "git reset --hard"}), &Broken);
    assert!(o.verdict.is_none());
    assert!(o
        .errors
        .iter()
        .any(|e| e.contains("git-discard-work") && e.contains("probe broke")));

    let closed = Guard::new(&GuardConfig {
        fail_closed: vec!["git-discard-work".into()],
        ..GuardConfig::default()
    })
    .unwrap();
    let o = eval_with(
        &closed,
        "Bash",
        json!({"command": "git reset --hard"}),
        &Broken,
    );
    let v = o.verdict.unwrap();
    assert_eq!(
        (v.decision, v.policy.as_str()),
        (Decision::Deny, "git-discard-work")
    );
    assert!(v.reason.contains("fail closed"));

    // Unparsable shell text: internal error of every Bash policy.
    let o = bash(&g, "echo 'unterminated");
    assert!(o.verdict.is_none() && !o.errors.is_empty());
    let all = Guard::new(&GuardConfig {
        fail_closed: vec!["*".into()],
        ..GuardConfig::default()
    })
    .unwrap();
    assert_eq!(
        policy(&bash(&all, "echo 'unterminated")).unwrap().0,
        Decision::Deny
    );
    let huge = format!("echo {}", "a".repeat(70_000));
    assert_eq!(policy(&bash(&all, &huge)).unwrap().0, Decision::Deny);
    // Padding past the limit does not hide hookwatch's user-only commands.
    let padded = format!("hookwatch guard allow-once x # {}", "a".repeat(70_000));
    assert_eq!(policy(&bash(&g, &padded)), deny("self-protect"));
}

#[test]
fn git_probe_decides_reset_and_clean() {
    let g = default_guard();
    let with = |cmd: &str, git: &dyn GitProbe| {
        policy(&eval_with(&g, "Bash", json!({ "command": cmd }), git))
    };
    assert_eq!(with("git reset --hard", &Clean), None);
    assert_eq!(with("git clean -fdx", &Clean), None);
    assert_eq!(
        with("git push -f", &Clean),
        None,
        "current branch is feature"
    );
    assert_eq!(
        with("git push -f origin main", &Clean),
        deny("git-force-push")
    );
    assert_eq!(
        with("git reset --hard", &AssumeWorst),
        deny("git-discard-work")
    );
    // Unknown current branch: cannot say it is protected.
    assert_eq!(with("git push --force", &Broken), None);
}

#[test]
fn protected_paths_and_branches() {
    let g = Guard::new(&GuardConfig {
        protected_paths: vec!["~/secrets".into(), "data/**".into(), "/srv/db".into()],
        protected_branches: vec!["stable".into()],
        ..GuardConfig::default()
    })
    .unwrap();
    assert_eq!(policy(&bash(&g, "rm -rf ~/secrets")), deny("rm-root"));
    assert_eq!(policy(&bash(&g, "rm -rf /srv")), deny("rm-root"));
    assert_eq!(policy(&bash(&g, "rm -rf data")), deny("rm-root"));
    assert_eq!(
        policy(&bash(&g, "echo x > data/a/b.csv")),
        deny("sensitive-file-write")
    );
    let o = eval_with(
        &g,
        "Edit",
        json!({"file_path": "/srv/db/x.conf"}),
        &AssumeWorst,
    );
    assert_eq!(policy(&o), deny("sensitive-file-write"));
    // A directory directly in home that is not a known one: asked about;
    // anything deeper is left alone.
    assert_eq!(
        policy(&bash(&g, "rm -rf ~/other")),
        Some((Decision::Ask, "rm-home-child".to_string()))
    );
    assert_eq!(policy(&bash(&g, "rm -rf ~/other/build")), None);
    assert_eq!(
        policy(&bash(&g, "git push -f origin stable")),
        deny("git-force-push")
    );
    assert_eq!(policy(&bash(&g, "git push -f origin main")), None);
}

#[test]
fn tool_input_shapes_without_opinion() {
    let g = default_guard();
    for input in [
        json!({}),
        json!({"command": 5}),
        json!({"command": null}),
        json!([1, 2]),
        json!("rm -rf /"),
        json!({"command": ""}),
        json!({"command": "   \n\n  "}),
    ] {
        let o = eval_with(&g, "Bash", input.clone(), &AssumeWorst);
        assert!(o.verdict.is_none(), "{input}");
        let o = eval_with(&g, "Write", input.clone(), &AssumeWorst);
        assert!(o.verdict.is_none(), "{input}");
    }
    let o = eval_with(
        &g,
        "NotebookEdit",
        json!({"notebook_path": ".git/x"}),
        &AssumeWorst,
    );
    assert_eq!(policy(&o), deny("sensitive-file-write"));
}

#[test]
fn project_dir_and_cwd() {
    let g = default_guard();
    let d = dirs();
    let input = json!({"command": "rm -rf .."});
    let req = Request {
        tool_name: "Bash",
        tool_input: &input,
        cwd: "/home/dev/proj/src",
        project_dir: Some("/home/dev/proj"),
        home: None,
        protected_dirs: &d,
    };
    assert_eq!(policy(&g.evaluate(&req, &AssumeWorst)), deny("rm-root"));
    let input = json!({"command": "rm -rf ."});
    let req = Request {
        tool_input: &input,
        ..req
    };
    // A subdirectory of the project is not the project root.
    assert_eq!(policy(&g.evaluate(&req, &AssumeWorst)), None);
    // Without $HOME, `~` is unknown: no opinion rather than a guess.
    let input = json!({"command": "rm -rf ~/x"});
    let req = Request {
        tool_input: &input,
        ..req
    };
    assert_eq!(policy(&g.evaluate(&req, &AssumeWorst)), None);
}

fn timed(g: &Guard, cmd: &str) -> Duration {
    let t = Instant::now();
    let _ = bash(g, cmd);
    t.elapsed()
}

#[test]
fn hostile_input_is_bounded() {
    let g = default_guard();
    let limit = Duration::from_secs(2);
    let bombs = [
        "$(".repeat(10_000) + &")".repeat(10_000),
        "echo ".to_string() + &"a".repeat(1 << 20),
        "(".repeat(5_000) + &")".repeat(5_000),
        "\"$(".repeat(3_000),
        "`".repeat(9_999),
        "${".repeat(20_000),
        "rm -rf x;".repeat(7_000),
        "a|".repeat(30_000) + "b",
        "cat <<E\n".repeat(6_000),
        "bash -c \"".repeat(1_000),
        "x=$(( ".repeat(2_000),
        "case a in ".repeat(5_000),
        "echo $(echo $(echo $(echo $(echo $(echo $(echo $(echo $(echo $(echo $(echo $(echo $(echo $(echo $(echo $(echo $(echo $(echo $(echo $(echo x)))))))))))))))))))".into(),
        (0..12).fold("rm -rf /".to_string(), |acc, _| format!("bash -c {}", shell_quote(&acc))),
        "echo / | xargs ".repeat(2_000) + "rm -rf",
        "find / -exec ".repeat(2_000),
        "sudo ".repeat(10_000) + "ls",
    ];
    for b in &bombs {
        let d = timed(&g, b);
        assert!(d < limit, "{} bytes took {d:?}", b.len());
    }
    // Deep but legal nesting is still analysed ...
    let nested = "echo $(".repeat(15) + "rm -rf /" + &")".repeat(15);
    assert_eq!(policy(&bash(&g, &nested)), deny("rm-root"));
    let nested = (0..6).fold("rm -rf ~".to_string(), |acc, _| {
        format!("bash -c {}", shell_quote(&acc))
    });
    assert_eq!(policy(&bash(&g, &nested)), deny("rm-root"));
    // ... and past the limit it is an internal error, not a silent pass.
    let o = bash(&g, &("echo $(".repeat(40) + "rm -rf /" + &")".repeat(40)));
    assert!(
        o.verdict.is_none() && o.errors.iter().any(|e| e.contains("too deep")),
        "{:?}",
        o.errors
    );
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

#[test]
fn ordinary_commands_are_fast() {
    let g = default_guard();
    let cmds = [
        "git status",
        "cargo test -p foo -- --nocapture",
        "ls -la src && grep -rn 'fn main' . | head",
        "rm -rf ./build && npm ci && npm run build",
    ];
    let t = Instant::now();
    for _ in 0..100 {
        for c in cmds {
            let _ = bash(&g, c);
        }
    }
    let per = t.elapsed() / 400;
    // Generous for unoptimised test builds on a loaded CI box.
    assert!(per < Duration::from_millis(2), "{per:?} per decision");
}

mod props {
    use super::*;
    use proptest::prelude::*;

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            ".{0,40}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::btree_map(
                    prop_oneof![
                        Just("command".to_string()),
                        Just("file_path".to_string()),
                        Just("notebook_path".to_string()),
                        Just("path".to_string()),
                        "[a-z_]{1,8}"
                    ],
                    inner,
                    0..5
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn shellish() -> impl Strategy<Value = String> {
        let tok = prop_oneof![
            Just("rm".to_string()),
            Just("-rf".to_string()),
            Just("/".to_string()),
            Just("~".to_string()),
            Just("$HOME".to_string()),
            Just("\"".to_string()),
            Just("'".to_string()),
            Just("$(".to_string()),
            Just(")".to_string()),
            Just("(".to_string()),
            Just("`".to_string()),
            Just("<<EOF\n".to_string()),
            Just("EOF".to_string()),
            Just("\n".to_string()),
            Just("|".to_string()),
            Just(";;".to_string()),
            Just("&&".to_string()),
            Just("case".to_string()),
            Just("in".to_string()),
            Just("esac".to_string()),
            Just("bash -c".to_string()),
            Just("xargs".to_string()),
            Just("find".to_string()),
            Just("-exec".to_string()),
            Just("{}".to_string()),
            Just("\\".to_string()),
            Just("${".to_string()),
            Just("}".to_string()),
            Just("<(".to_string()),
            Just("$'\\x".to_string()),
            Just("git push -f".to_string()),
            Just("curl x |".to_string()),
            "[ -~]{0,6}",
        ];
        proptest::collection::vec(tok, 0..40).prop_map(|v| v.join(" "))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

        #[test]
        fn never_panics_on_strings(s in any::<String>()) {
            let _ = bash(&default_guard(), &s);
        }

        #[test]
        fn never_panics_on_bytes(b in proptest::collection::vec(any::<u8>(), 0..300)) {
            let s = String::from_utf8_lossy(&b).into_owned();
            let _ = bash(&default_guard(), &s);
        }

        #[test]
        fn never_panics_on_shellish(s in shellish()) {
            let _ = bash(&default_guard(), &s);
        }

        #[test]
        fn never_panics_on_json(v in json_value(), tool in prop_oneof![
            Just("Bash"), Just("Write"), Just("Edit"), Just("NotebookEdit"), Just("Read"), Just("X")
        ]) {
            let _ = eval_with(&default_guard(), tool, v, &AssumeWorst);
        }
    }
}

/// `..` is resolved as the kernel resolves it: after a symlink it climbs
/// from the link's target. A path that looks harmless written out
/// (`link/../etc` = `./etc`) is /etc when `link` points at /.
#[test]
fn dot_dot_after_a_symlink_is_resolved_like_the_kernel() {
    let d = tempfile::tempdir().unwrap();
    let cwd = d.path().to_str().unwrap().to_string();
    std::os::unix::fs::symlink("/", d.path().join("link")).unwrap();
    std::fs::create_dir_all(d.path().join("plain")).unwrap();
    let g = default_guard();
    let input = json!({ "command": "rm -rf link/../etc" });
    let req = Request {
        tool_name: "Bash",
        tool_input: &input,
        cwd: &cwd,
        project_dir: Some(&cwd),
        home: Some("/nonexistent-home"),
        protected_dirs: &[],
    };
    assert_eq!(policy(&g.evaluate(&req, &AssumeWorst)), deny("rm-root"));
    // The same without a symlink is ./etc, inside the project.
    let input = json!({ "command": "rm -rf plain/../etc" });
    let req = Request {
        tool_input: &input,
        ..req
    };
    assert_eq!(policy(&g.evaluate(&req, &AssumeWorst)), None);
}

/// Home subdirectories: the known ones denied, others asked about, deeper
/// paths and the project's own left alone (docs/failures-and-guard.md).
#[test]
fn home_subdirectories() {
    let g = default_guard();
    for c in [
        "rm -rf ~/Documents",
        "rm -rf ~/.ssh",
        "rm -rf ~/projects",
        "rm -rf ~/.config/",
        "rm -rf /home/alice",
    ] {
        assert_eq!(policy(&bash(&g, c)), deny("rm-root"), "{c}");
    }
    // (The project is /home/dev/proj: `..` is home.)
    for c in [
        "rm -rf ~/old-checkout",
        "rm -rf ~/.npm",
        "rm -rf ../other-checkout",
    ] {
        assert_eq!(
            policy(&bash(&g, c)),
            Some((Decision::Ask, "rm-home-child".to_string())),
            "{c}"
        );
    }
    for c in [
        "rm -rf ~/.cache/pip",
        "rm -rf ~/projects/app/target",
        "rm -rf ./build",
        "rm -rf /tmp/x",
    ] {
        assert_eq!(policy(&bash(&g, c)), None, "{c}");
    }
    for c in [
        "rm -rf /opt/app/cache",
        "rm -rf /srv/www/old",
        "rm -rf ~bob/tmp",
    ] {
        assert_eq!(
            policy(&bash(&g, c)),
            Some((Decision::Ask, "rm-outside-project".to_string())),
            "{c}"
        );
    }
}
