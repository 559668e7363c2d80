//! User rules: overrides, first match wins, lazy regexes, bad regexes.

use hookwatch_failure::{Class, Failure, Rules, Severity, UserRule};
use serde_json::{json, Value};

struct F {
    tool: &'static str,
    input: Value,
    error: &'static str,
    mcp: Option<&'static str>,
    project: Option<&'static str>,
}

impl F {
    fn bash(cmd: &str, error: &'static str) -> F {
        F {
            tool: "Bash",
            input: json!({ "command": cmd }),
            error,
            mcp: None,
            project: Some("/work/shop"),
        }
    }
    fn failure(&self) -> Failure<'_> {
        Failure {
            tool_name: self.tool,
            tool_input: Some(&self.input),
            error: self.error,
            is_interrupt: false,
            mcp_server: self.mcp,
            cwd: Some("/somewhere/else"),
            project_dir: self.project,
        }
    }
}

fn rule(name: &str) -> UserRule {
    UserRule {
        name: name.into(),
        ..Default::default()
    }
}

const E2E_TIMEOUT: &str =
    "Exit code 1\nError: Timed out 30000ms waiting for expect(locator).toBeVisible()";

#[test]
fn override_class_and_severity() {
    let rules = Rules::new(&[UserRule {
        command: Some("npm run e2e*".into()),
        class: Some(Class::Test),
        severity: Some(Severity::Critical),
        system_message: Some("e2e is broken again".into()),
        ..rule("e2e")
    }])
    .unwrap();
    let (v, errs) =
        rules.classify(&F::bash("npm run e2e -- --project=chromium", E2E_TIMEOUT).failure());
    assert!(errs.is_empty());
    assert_eq!(
        (v.class, v.severity, v.expected),
        (Class::Test, Severity::Critical, false)
    );
    assert_eq!(v.rule, "user:e2e");
    assert_eq!(v.system_message.as_deref(), Some("e2e is broken again"));
    // Other commands are untouched.
    let (v, _) = rules.classify(&F::bash("npm run build", E2E_TIMEOUT).failure());
    assert_eq!(v.class, Class::Timeout);
    assert_eq!(v.rule, "builtin:timeout");
    assert!(v.system_message.is_none());
}

#[test]
fn expected_only_rule_keeps_class() {
    let rules = Rules::new(&[UserRule {
        command: Some("cargo clippy*".into()),
        expected: Some(true),
        ..rule("clippy-ok")
    }])
    .unwrap();
    let (v, _) = rules.classify(
        &F::bash("cargo clippy -- -D warnings", "Exit code 101\nerror: unused variable: `x`\n --> src/lib.rs:1:5\nerror: could not compile `x`").failure(),
    );
    assert_eq!(v.class, Class::Syntax);
    assert!(v.expected);
    assert_eq!(v.severity, Severity::Info, "expected ⇒ info by default");
    assert_eq!(v.rule, "user:clippy-ok");
}

#[test]
fn advice_only_rule_replaces_builtin_advice() {
    let rules = Rules::new(&[UserRule {
        tool: Some("Bash".into()),
        error: Some("(?i)docker daemon".into()),
        advice: Some("Run `colima start` first.".into()),
        ..rule("colima")
    }])
    .unwrap();
    let (v, errs) = rules.classify(
        &F::bash("docker ps", "Exit code 1\nCannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?").failure(),
    );
    assert!(errs.is_empty());
    assert_eq!(v.class, Class::Network);
    assert_eq!(v.severity, Severity::Error);
    assert_eq!(
        v.rule, "builtin:docker-daemon",
        "an advice-only rule does not decide the class"
    );
    let a = v.advice.unwrap();
    assert_eq!(a.rule, "user:colima");
    assert_eq!(a.text, "Run `colima start` first.");
}

#[test]
fn first_match_wins() {
    let rules = Rules::new(&[
        UserRule {
            command: Some("pytest*".into()),
            class: Some(Class::Other),
            ..rule("first")
        },
        UserRule {
            command: Some("pytest*".into()),
            class: Some(Class::Network),
            ..rule("second")
        },
    ])
    .unwrap();
    let (v, _) =
        rules.classify(&F::bash("pytest -x", "Exit code 1\n=== 1 failed in 0.1s ===").failure());
    assert_eq!(v.rule, "user:first");
    assert_eq!(v.class, Class::Other);
    // Class changed ⇒ default severity of (new class, still expected).
    assert_eq!(v.severity, Severity::Info);
    let (v, _) = rules.classify(
        &F::bash(
            "pytest -x",
            "Exit code 4\nERROR: file or directory not found: tests/x.py",
        )
        .failure(),
    );
    assert_eq!((v.class, v.severity), (Class::Other, Severity::Warning));
}

#[test]
fn all_conditions_must_hold() {
    let rules = Rules::new(&[UserRule {
        tool: Some("Bash".into()),
        command: Some("make*".into()),
        error: Some("No rule".into()),
        expected: Some(true),
        ..rule("make")
    }])
    .unwrap();
    let (v, _) = rules.classify(
        &F::bash(
            "make deploy",
            "Exit code 2\nmake: *** No rule to make target 'deploy'.  Stop.",
        )
        .failure(),
    );
    assert!(v.expected);
    let (v, _) =
        rules.classify(&F::bash("make deploy", "Exit code 2\nmake: *** [all] Error 1").failure());
    assert!(!v.expected);
    let (v, _) = rules.classify(&F::bash("cmake ..", "Exit code 2\nNo rule").failure());
    assert!(!v.expected);
}

#[test]
fn project_glob() {
    let rules = Rules::new(&[UserRule {
        project: Some("/work/**".into()),
        expected: Some(true),
        ..rule("work")
    }])
    .unwrap();
    let mut f = F::bash("make", "Exit code 2\nboom");
    assert!(rules.classify(&f.failure()).0.expected);
    f.project = Some("/home/me/other");
    assert!(!rules.classify(&f.failure()).0.expected);
    // No project dir: cwd decides.
    f.project = None;
    assert!(!rules.classify(&f.failure()).0.expected);
    let rules = Rules::new(&[UserRule {
        project: Some("/somewhere/*".into()),
        expected: Some(true),
        ..rule("cwd")
    }])
    .unwrap();
    assert!(rules.classify(&f.failure()).0.expected);
}

#[test]
fn mcp_server_glob() {
    let rules = Rules::new(&[UserRule {
        mcp_server: Some("staging-*".into()),
        severity: Some(Severity::Info),
        expected: Some(true),
        ..rule("staging")
    }])
    .unwrap();
    let f = |tool: &'static str, mcp: Option<&'static str>| F {
        tool,
        input: json!({}),
        error: "MCP error -32603: boom",
        mcp,
        project: None,
    };
    assert!(
        rules
            .classify(&f("mcp__staging-db__query", None).failure())
            .0
            .expected
    );
    assert!(
        rules
            .classify(&f("mcp__x__query", Some("staging-api")).failure())
            .0
            .expected
    );
    let (v, _) = rules.classify(&f("mcp__prod-db__query", None).failure());
    assert!(!v.expected);
    assert_eq!(v.class, Class::McpServer);
    assert!(!rules.classify(&f("Bash", None).failure()).0.expected);
}

#[test]
fn regex_of_non_matching_tool_is_never_compiled() {
    // An invalid regex that is never compiled reports nothing.
    let rules = Rules::new(&[UserRule {
        tool: Some("WebFetch".into()),
        error: Some("(unclosed".into()),
        expected: Some(true),
        ..rule("lazy")
    }])
    .unwrap();
    let (v, errs) =
        rules.classify(&F::bash("ls", "Exit code 2\nls: x: No such file or directory").failure());
    assert!(errs.is_empty(), "{errs:?}");
    assert!(!v.expected);
    // ...but `check_regexes` compiles everything and finds it.
    let errs = rules.check_regexes();
    assert_eq!(errs.len(), 1);
    assert!(
        errs[0].starts_with("user:lazy: bad error regex:"),
        "{}",
        errs[0]
    );
}

#[test]
fn bad_regex_is_an_error_not_a_panic() {
    let rules = Rules::new(&[
        UserRule {
            command_regex: Some("cargo (test".into()),
            class: Some(Class::Network),
            ..rule("bad")
        },
        UserRule {
            command: Some("cargo*".into()),
            advice: Some("second rule still applies".into()),
            ..rule("good")
        },
    ])
    .unwrap();
    let (v, errs) =
        rules.classify(&F::bash("cargo test", "Exit code 101\nerror[E0425]: x").failure());
    assert_eq!(errs.len(), 1);
    assert!(
        errs[0].starts_with("user:bad: bad command_regex regex:"),
        "{}",
        errs[0]
    );
    assert_eq!(v.class, Class::Syntax);
    assert_eq!(v.advice.unwrap().text, "second rule still applies");
}

#[test]
fn command_conditions_need_a_bash_command() {
    let rules = Rules::new(&[UserRule {
        command_regex: Some(".*".into()),
        expected: Some(true),
        ..rule("any-command")
    }])
    .unwrap();
    let f = F {
        tool: "Read",
        input: json!({"file_path": "/x"}),
        error: "File does not exist.",
        mcp: None,
        project: None,
    };
    assert!(!rules.classify(&f.failure()).0.expected);
    assert!(
        rules
            .classify(&F::bash("ls", "Exit code 2\nx").failure())
            .0
            .expected
    );
}

#[test]
fn bad_globs_fail_new_and_unnamed_rules_get_numbers() {
    let err = Rules::new(&[UserRule {
        command: Some("abc\\".into()),
        ..rule("bad-glob")
    }])
    .err()
    .unwrap();
    assert!(err.contains("bad-glob") && err.contains("command"), "{err}");
    let rules = Rules::new(&[
        UserRule::default(),
        UserRule {
            expected: Some(true),
            ..Default::default()
        },
    ])
    .unwrap();
    let (v, _) = rules.classify(&F::bash("x", "Exit code 1\ny").failure());
    // The empty first rule matches everything but sets nothing.
    assert_eq!(v.rule, "builtin:unknown");
    let rules = Rules::new(&[UserRule {
        expected: Some(true),
        ..Default::default()
    }])
    .unwrap();
    assert_eq!(
        rules
            .classify(&F::bash("x", "Exit code 1\ny").failure())
            .0
            .rule,
        "user:#1"
    );
}

#[test]
fn user_rules_deserialize_strictly() {
    let r: UserRule = serde_json::from_value(json!({
        "name": "x", "tool": "Bash", "class": "missing_dependency", "severity": "critical", "expected": false
    }))
    .unwrap();
    assert_eq!(r.class, Some(Class::MissingDependency));
    assert_eq!(r.severity, Some(Severity::Critical));
    assert!(serde_json::from_value::<UserRule>(json!({ "name": "x", "klass": "test" })).is_err());
}

#[test]
fn class_names_round_trip() {
    for c in Class::all() {
        assert_eq!(Class::parse(c.as_str()), Some(*c));
        let json = serde_json::to_string(c).unwrap();
        assert_eq!(json, format!("\"{}\"", c.as_str()));
    }
    assert_eq!(Class::all().len(), 9);
    assert_eq!(
        Class::parse("Missing-Dependency"),
        Some(Class::MissingDependency)
    );
    assert_eq!(Class::parse("nope"), None);
    assert!(Severity::Critical > Severity::Error && Severity::Warning > Severity::Info);
}
