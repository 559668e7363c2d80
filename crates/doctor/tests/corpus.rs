//! The doctor's corpus: broken settings and scripts, one (or more) per
//! finding, each in a real directory tree (a home, a project, managed
//! settings, scripts with real modes), with the findings it must produce;
//! and clean set-ups that must produce none at warning or above.

use hookwatch_doctor::{diagnose, Env, Severity};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Files of a case: `P/…` in the project, `C/…` in the Claude config dir,
/// `M/…` next to managed settings, `H/…` in the home. A path ending in `*`
/// is written executable.
struct Case {
    name: &'static str,
    files: Vec<(&'static str, String)>,
    expect: &'static [&'static str],
}

fn settings(hooks: &str) -> String {
    format!("{{\"hooks\": {hooks}}}")
}

fn cmd(event: &str, matcher: &str, command: &str) -> String {
    settings(&format!(
        r#"{{"{event}": [{{"matcher": {}, "hooks": [{{"type": "command", "command": {}, "timeout": 10}}]}}]}}"#,
        serde_json::to_string(matcher).unwrap(),
        serde_json::to_string(command).unwrap()
    ))
}

fn run(c: &Case) -> Vec<(String, Severity)> {
    let d = tempfile::tempdir().unwrap();
    let root = d.path();
    let (home, project, managed) = (root.join("home"), root.join("project"), root.join("etc"));
    for dir in [&home, &project, &managed] {
        std::fs::create_dir_all(dir).unwrap();
    }
    let claude = home.join(".claude");
    for (rel, text) in &c.files {
        let (exec, rel) = match rel.strip_suffix('*') {
            Some(r) => (true, r),
            None => (false, *rel),
        };
        let (base, rest) = rel.split_at(2);
        let dir = match base {
            "P/" => &project,
            "C/" => &claude,
            "M/" => &managed,
            "H/" => &home,
            _ => panic!("{rel}"),
        };
        let p = dir.join(rest);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        let text = text
            .replace("{P}", &project.display().to_string())
            .replace("{H}", &home.display().to_string());
        std::fs::write(&p, text).unwrap();
        let mode = if exec { 0o755 } else { 0o644 };
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let env = Env {
        claude_dir: claude,
        home: home.clone(),
        project: Some(project.clone()),
        managed_file: managed.join("managed-settings.json"),
        path: "/usr/local/bin:/usr/bin:/bin".into(),
        recorded_tools: Vec::new(),
        shell_path: None,
    };
    diagnose(&env)
        .findings
        .into_iter()
        .map(|f| (f.id.to_string(), f.severity))
        .collect()
}

fn broken() -> Vec<Case> {
    let ok_script = "#!/bin/sh\ninput=$(cat)\nexit 0\n".to_string();
    vec![
        Case { name: "invalid JSON (trailing comma)", files: vec![("P/.claude/settings.json", "{\"hooks\": {},}".into())], expect: &["invalid-json"] },
        Case { name: "comment in JSON", files: vec![("C/settings.json", "// mine\n{}".into())], expect: &["invalid-json"] },
        Case { name: "settings not an object", files: vec![("P/.claude/settings.json", "[]".into())], expect: &["schema-invalid"] },
        Case { name: "hooks is a list", files: vec![("P/.claude/settings.json", settings("[]"))], expect: &["schema-invalid"] },
        Case { name: "event is an object, not a list", files: vec![("P/.claude/settings.json", settings(r#"{"Stop": {"hooks": []}}"#))], expect: &["schema-invalid"] },
        Case { name: "group without hooks", files: vec![("P/.claude/settings.json", settings(r#"{"Stop": [{"matcher": ""}]}"#))], expect: &["schema-invalid"] },
        Case { name: "handler directly in the event list", files: vec![("P/.claude/settings.json", settings(r#"{"Stop": [{"type": "command", "command": "true"}]}"#))], expect: &["handler-outside-hooks-array"] },
        Case { name: "handler without type", files: vec![("P/.claude/settings.json", settings(r#"{"Stop": [{"hooks": [{"command": "true"}]}]}"#))], expect: &["schema-invalid"] },
        Case { name: "unknown handler type", files: vec![("P/.claude/settings.json", settings(r#"{"Stop": [{"hooks": [{"type": "shell", "command": "true"}]}]}"#))], expect: &["schema-invalid"] },
        Case { name: "command hook without command", files: vec![("P/.claude/settings.json", settings(r#"{"Stop": [{"hooks": [{"type": "command", "cmd": "true"}]}]}"#))], expect: &["schema-invalid"] },
        Case { name: "http hook without url", files: vec![("P/.claude/settings.json", settings(r#"{"Stop": [{"hooks": [{"type": "http"}]}]}"#))], expect: &["schema-invalid"] },
        Case { name: "timeout as a string", files: vec![("P/.claude/settings.json", settings(r#"{"Stop": [{"hooks": [{"type": "command", "command": "true", "timeout": "30"}]}]}"#))], expect: &["schema-invalid"] },
        Case { name: "matcher not a string", files: vec![("P/.claude/settings.json", settings(r#"{"PreToolUse": [{"matcher": ["Bash"], "hooks": [{"type": "command", "command": "true"}]}]}"#))], expect: &["schema-invalid"] },
        Case { name: "unknown event", files: vec![("P/.claude/settings.json", cmd("BeforeToolUse", "Bash", "true"))], expect: &["unknown-event"] },
        Case { name: "mis-cased event", files: vec![("P/.claude/settings.json", cmd("preToolUse", "Bash", "true"))], expect: &["event-miscased"] },
        Case { name: "events at the top level", files: vec![("P/.claude/settings.json", r#"{"PreToolUse": []}"#.into())], expect: &["hooks-outside-hooks-key"] },
        Case { name: "Write, Edit matcher", files: vec![("P/.claude/settings.json", cmd("PostToolUse", "Write, Edit", "true"))], expect: &["matcher-list-separator"] },
        Case { name: "invalid regex matcher", files: vec![("P/.claude/settings.json", cmd("PreToolUse", "Bash(", "true"))], expect: &["matcher-invalid-regex"] },
        Case { name: "lower-case tool name", files: vec![("P/.claude/settings.json", cmd("PreToolUse", "bash", "true"))], expect: &["matcher-tool-case"] },
        Case { name: "tool that does not exist", files: vec![("P/.claude/settings.json", cmd("PreToolUse", "Shell", "true"))], expect: &["matcher-unknown-tool"] },
        Case { name: "MCP server without tool", files: vec![("P/.claude/settings.json", cmd("PreToolUse", "mcp__memory", "true"))], expect: &["matcher-mcp-incomplete"] },
        Case { name: "matcher on Stop (ignored)", files: vec![("P/.claude/settings.json", cmd("Stop", "Bash", "true"))], expect: &["matcher-ignored"] },
        Case { name: "matcher on UserPromptSubmit (ignored)", files: vec![("P/.claude/settings.json", cmd("UserPromptSubmit", "deploy", "true"))], expect: &["matcher-ignored"] },
        Case { name: "SessionStart source that does not exist", files: vec![("P/.claude/settings.json", cmd("SessionStart", "start", "true"))], expect: &["matcher-unknown-value"] },
        Case { name: "StopFailure matcher with a regex", files: vec![("P/.claude/settings.json", cmd("StopFailure", "rate_.*", "true"))], expect: &["matcher-invalid-charset"] },
        Case { name: "if on a non-tool event", files: vec![("P/.claude/settings.json", settings(r#"{"Stop": [{"hooks": [{"type": "command", "command": "true", "if": "Bash(git *)"}]}]}"#))], expect: &["if-on-non-tool-event"] },
        Case { name: "script missing", files: vec![("P/.claude/settings.json", cmd("PreToolUse", "Bash", "\"$CLAUDE_PROJECT_DIR\"/.claude/hooks/gone.sh"))], expect: &["script-missing"] },
        Case { name: "script not executable", files: vec![("P/.claude/settings.json", cmd("PreToolUse", "Bash", "\"$CLAUDE_PROJECT_DIR\"/.claude/hooks/x.sh")), ("P/.claude/hooks/x.sh", ok_script.clone())], expect: &["script-not-executable"] },
        Case { name: "script with CRLF", files: vec![("P/.claude/settings.json", cmd("PreToolUse", "Bash", "\"$CLAUDE_PROJECT_DIR\"/.claude/hooks/x.sh")), ("P/.claude/hooks/x.sh*", "#!/bin/sh\r\ninput=$(cat)\r\nexit 0\r\n".into())], expect: &["script-crlf"] },
        Case { name: "shebang interpreter not installed", files: vec![("P/.claude/settings.json", cmd("PreToolUse", "Bash", "\"$CLAUDE_PROJECT_DIR\"/.claude/hooks/x.rb")), ("P/.claude/hooks/x.rb*", "#!/usr/bin/env hookwatch-no-such-ruby\nexit 0\n".into())], expect: &["shebang-interpreter-missing"] },
        Case { name: "relative script path", files: vec![("P/.claude/settings.json", cmd("PreToolUse", "Bash", ".claude/hooks/x.sh")), ("P/.claude/hooks/x.sh*", ok_script.clone())], expect: &["relative-script-path"] },
        Case { name: "unquoted $CLAUDE_PROJECT_DIR", files: vec![("P/.claude/settings.json", cmd("PreToolUse", "Bash", "$CLAUDE_PROJECT_DIR/.claude/hooks/x.sh")), ("P/.claude/hooks/x.sh*", ok_script.clone())], expect: &["unquoted-path-variable"] },
        Case { name: "program not on the non-interactive PATH", files: vec![("P/.claude/settings.json", cmd("PostToolUse", "Write", "hookwatch-no-such-prettier --write"))], expect: &["command-not-found"] },
        Case { name: "script reads $CLAUDE_TOOL_INPUT", files: vec![("P/.claude/settings.json", cmd("PreToolUse", "Bash", "\"$CLAUDE_PROJECT_DIR\"/.claude/hooks/x.sh")), ("P/.claude/hooks/x.sh*", "#!/bin/sh\necho \"$CLAUDE_TOOL_INPUT\" | grep -q rm && exit 2\nexit 0\n".into())], expect: &["reads-unset-variable"] },
        Case { name: "inline command reads $TOOL_NAME", files: vec![("P/.claude/settings.json", cmd("PostToolUse", "", "echo $TOOL_NAME >> /tmp/log"))], expect: &["reads-unset-variable"] },
        Case { name: "python reads os.environ['TOOL_INPUT']", files: vec![("P/.claude/settings.json", cmd("PreToolUse", "Bash", "python3 \"$CLAUDE_PROJECT_DIR\"/.claude/hooks/g.py")), ("P/.claude/hooks/g.py", "import os, sys\ncmd = os.environ['TOOL_INPUT']\nsys.exit(0)\n".into())], expect: &["reads-unset-variable"] },
        Case { name: "PreToolUse script exits 1 to block", files: vec![("P/.claude/settings.json", cmd("PreToolUse", "Bash", "\"$CLAUDE_PROJECT_DIR\"/.claude/hooks/x.sh")), ("P/.claude/hooks/x.sh*", "#!/bin/sh\ninput=$(cat)\ncase \"$input\" in *'rm -rf'*) echo blocked >&2; exit 1;; esac\nexit 0\n".into())], expect: &["exit-1-does-not-block"] },
        Case { name: "python Stop hook sys.exit(1)", files: vec![("P/.claude/settings.json", cmd("Stop", "", "python3 \"$CLAUDE_PROJECT_DIR\"/.claude/hooks/s.py")), ("P/.claude/hooks/s.py", "import json, sys\ne = json.load(sys.stdin)\nif e.get('stop_hook_active'): sys.exit(0)\nsys.exit(1)\n".into())], expect: &["exit-1-does-not-block"] },
        Case { name: "Stop hook that blocks without stop_hook_active", files: vec![("P/.claude/settings.json", cmd("Stop", "", "\"$CLAUDE_PROJECT_DIR\"/.claude/hooks/t.sh")), ("P/.claude/hooks/t.sh*", "#!/bin/sh\ncat >/dev/null\nnpm test >&2 || exit 2\nexit 0\n".into())], expect: &["stop-hook-loop"] },
        Case { name: "async hook that answers Claude", files: vec![("P/.claude/settings.json", settings(r#"{"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "echo '{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":\"deny\"}}'", "async": true}]}]}"#))], expect: &["async-output-ignored"] },
        Case { name: "timeout in milliseconds", files: vec![("P/.claude/settings.json", settings(r#"{"PostToolUse": [{"matcher": "Write", "hooks": [{"type": "command", "command": "true", "timeout": 5000}]}]}"#))], expect: &["timeout-looks-like-ms"] },
        Case { name: "WorktreeCreate that prints nothing", files: vec![("P/.claude/settings.json", cmd("WorktreeCreate", "", "git worktree add ../wt >/dev/null 2>&1"))], expect: &["worktree-create-prints-nothing"] },
        Case { name: "hook on a per-delta event", files: vec![("P/.claude/settings.json", cmd("MessageDisplay", "", "true"))], expect: &["per-delta-event"] },
        Case { name: "the same command twice", files: vec![("P/.claude/settings.json", cmd("PostToolUse", "Write", "true")), ("P/.claude/settings.local.json", cmd("PostToolUse", "Write", "true"))], expect: &["duplicate-hook"] },
        Case { name: "disableAllHooks", files: vec![("C/settings.json", "{\"disableAllHooks\": true}".into())], expect: &["hooks-disabled"] },
        Case { name: "allowManagedHooksOnly in force", files: vec![("M/managed-settings.json", "{\"allowManagedHooksOnly\": true}".into()), ("P/.claude/settings.json", cmd("Stop", "", "true"))], expect: &["managed-hooks-only"] },
        Case { name: "hooks in a file Claude Code does not read", files: vec![("P/.claude/hooks.json", cmd("Stop", "", "true"))], expect: &["unread-file"] },
        Case { name: "hooks in ~/.claude/settings.local.json", files: vec![("C/settings.local.json", cmd("Stop", "", "true"))], expect: &["unread-file"] },
        Case { name: "plugin hooks.json without the hooks key", files: vec![("C/plugins/cache/acme/fmt/1.0/hooks/hooks.json", r#"{"PostToolUse": [{"matcher": "Write", "hooks": [{"type": "command", "command": "true"}]}]}"#.into())], expect: &["plugin-hooks-missing-key"] },
        Case { name: "CLAUDE_PLUGIN_ROOT in project settings", files: vec![("P/.claude/settings.json", cmd("Stop", "", "\"${CLAUDE_PLUGIN_ROOT}\"/x.sh"))], expect: &["plugin-root-outside-plugin"] },
        Case { name: "matcher inside the handler", files: vec![("P/.claude/settings.json", settings(r#"{"PreToolUse": [{"hooks": [{"type": "command", "command": "true", "matcher": "Bash"}]}]}"#))], expect: &["unknown-key"] },
        Case { name: "SessionEnd timeout over its budget", files: vec![("P/.claude/settings.json", settings(r#"{"SessionEnd": [{"hooks": [{"type": "command", "command": "true", "timeout": 120}]}]}"#))], expect: &["session-end-budget"] },
        Case { name: "once in settings", files: vec![("P/.claude/settings.json", settings(r#"{"SessionStart": [{"hooks": [{"type": "command", "command": "true", "once": true}]}]}"#))], expect: &["once-ignored"] },
        Case { name: "onFailure block on Stop", files: vec![("P/.claude/settings.json", settings(r#"{"Stop": [{"hooks": [{"type": "command", "command": "true", "onFailure": "block"}]}]}"#))], expect: &["on-failure-ignored"] },
        Case { name: "empty command", files: vec![("P/.claude/settings.json", cmd("Stop", "", "  "))], expect: &["empty-command"] },
        Case { name: "PreToolUse without timeout", files: vec![("P/.claude/settings.json", settings(r#"{"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "true"}]}]}"#))], expect: &["timeout-default"] },
        Case { name: "group with no hooks", files: vec![("P/.claude/settings.json", settings(r#"{"Stop": [{"hooks": []}]}"#))], expect: &["empty-group"] },
        Case { name: "allowManagedHooksOnly outside managed settings", files: vec![("C/settings.json", "{\"allowManagedHooksOnly\": true}".into())], expect: &["managed-only-outside-managed"] },
        Case { name: "a skill's frontmatter hook with a lower-case tool", files: vec![("P/.claude/skills/fmt/SKILL.md", "---\nname: fmt\ndescription: format\nhooks:\n  PostToolUse:\n    - matcher: write\n      hooks:\n        - type: command\n          command: \"true\"\n---\nFormat files.\n".into())], expect: &["matcher-tool-case"] },
        Case { name: "an agent whose frontmatter is not YAML", files: vec![("C/agents/reviewer.md", "---\nname: reviewer\nhooks: [unclosed\n---\nReview.\n".into())], expect: &["invalid-frontmatter"] },
        Case { name: "duplicate hooks key", files: vec![("P/.claude/settings.json", "{\"hooks\": {}, \"hooks\": {}}".into())], expect: &["duplicate-key"] },
    ]
}

#[test]
fn every_broken_case_gives_its_findings() {
    let cases = broken();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let mut ids = std::collections::BTreeSet::new();
    let mut failures = Vec::new();
    for c in &cases {
        let found = run(c);
        for want in c.expect {
            ids.insert(*want);
            if !found.iter().any(|(id, _)| id == want) {
                failures.push(format!("{}: expected {want}, got {found:?}", c.name));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(ids.len() >= 40, "{} distinct findings", ids.len());
}

#[test]
fn clean_setups_have_no_warnings() {
    let guard = "#!/bin/sh\n# Block rm -rf outside the project.\ninput=$(cat)\ncmd=$(printf '%s' \"$input\" | jq -r '.tool_input.command // empty')\ncase \"$cmd\" in *'rm -rf /'*) echo 'refusing rm -rf /' >&2; exit 2;; esac\nexit 0\n";
    let stop = "#!/usr/bin/env python3\nimport json, subprocess, sys\ne = json.load(sys.stdin)\nif e.get('stop_hook_active'):\n    sys.exit(0)\nif subprocess.run(['true']).returncode != 0:\n    print('tests fail', file=sys.stderr)\n    sys.exit(2)\n";
    let cases = vec![
        // hookwatch's own install, as `hookwatch install` writes it.
        Case { name: "hookwatch install", files: vec![("P/.claude/settings.json", settings(r#"{
            "PreToolUse": [{"hooks": [{"type": "command", "command": "/usr/bin/env true", "timeout": 5}]}],
            "PostToolUse": [{"hooks": [{"type": "command", "command": "/usr/bin/env true", "timeout": 5, "async": true}]}],
            "Notification": [{"hooks": [{"type": "command", "command": "/usr/bin/env true", "timeout": 5}]}],
            "Stop": [{"hooks": [{"type": "command", "command": "/usr/bin/env true", "timeout": 5}]}],
            "SessionEnd": [{"hooks": [{"type": "command", "command": "/usr/bin/env true", "timeout": 5}]}]
        }"#))], expect: &[] },
        // The docs' examples: a formatter after edits, a Bash guard, a
        // desktop notification, a Stop gate that reads stop_hook_active.
        Case { name: "a typical project", files: vec![
            ("P/.claude/settings.json", settings(r#"{
                "PostToolUse": [{"matcher": "Write|Edit|MultiEdit", "hooks": [{"type": "command", "command": "jq -r '.tool_input.file_path' | xargs -r true", "timeout": 30}]}],
                "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "\"$CLAUDE_PROJECT_DIR\"/.claude/hooks/guard.sh", "timeout": 10}]}],
                "Notification": [{"matcher": "permission_prompt|idle_prompt", "hooks": [{"type": "command", "command": "true"}]}],
                "Stop": [{"hooks": [{"type": "command", "command": "\"$CLAUDE_PROJECT_DIR\"/.claude/hooks/gate.py", "timeout": 120}]}],
                "SessionStart": [{"matcher": "startup|resume", "hooks": [{"type": "command", "command": "echo started"}]}]
            }"#)),
            ("P/.claude/hooks/guard.sh*", guard.into()),
            ("P/.claude/hooks/gate.py*", stop.into()),
        ], expect: &[] },
        Case { name: "MCP and regex matchers", files: vec![("C/settings.json", settings(r#"{
            "PreToolUse": [{"matcher": "mcp__github__.*", "hooks": [{"type": "command", "command": "true", "timeout": 5}]},
                           {"matcher": "mcp__memory__create_entities", "hooks": [{"type": "command", "command": "true", "timeout": 5}]}],
            "PostToolUseFailure": [{"matcher": "Bash", "hooks": [{"type": "http", "url": "http://127.0.0.1:9/hook"}]}],
            "StopFailure": [{"matcher": "rate_limit|overloaded", "hooks": [{"type": "command", "command": "true"}]}]
        }"#))], expect: &[] },
        Case { name: "a plugin", files: vec![
            ("C/plugins/cache/acme/fmt/1.0/hooks/hooks.json", r#"{"description": "format", "hooks": {"PostToolUse": [{"matcher": "Write|Edit", "hooks": [{"type": "command", "command": "\"${CLAUDE_PLUGIN_ROOT}\"/scripts/fmt.sh", "timeout": 30}]}]}}"#.into()),
            ("C/plugins/cache/acme/fmt/1.0/scripts/fmt.sh*", "#!/bin/sh\ncat >/dev/null\nexit 0\n".into()),
        ], expect: &[] },
        Case { name: "no settings at all", files: vec![], expect: &[] },
        // Commands that run no script of the project's (no false
        // script-missing or command-not-found).
        Case { name: "inline commands", files: vec![("P/.claude/settings.json", settings(r#"{
            "PostToolUse": [{"matcher": "Write", "hooks": [
                {"type": "command", "command": "bash -c 'cd \"$CLAUDE_PROJECT_DIR\" && true'", "timeout": 30},
                {"type": "command", "command": "FOO=1 sh -c 'exit 0'", "timeout": 30},
                {"type": "command", "command": "[[ -f package.json ]] && true", "timeout": 30},
                {"type": "command", "command": "sh -e -c 'true'", "timeout": 30}
            ]}]
        }"#))], expect: &[] },
    ];
    for c in &cases {
        let found: Vec<_> = run(c)
            .into_iter()
            .filter(|(_, s)| *s >= Severity::Warning)
            .collect();
        assert!(found.is_empty(), "{}: {found:?}", c.name);
    }
}

#[test]
fn findings_name_the_line() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("project");
    std::fs::create_dir_all(p.join(".claude")).unwrap();
    std::fs::write(
        p.join(".claude/settings.json"),
        "{\n  \"hooks\": {\n    \"PreToolUse\": [\n      {\"matcher\": \"bash\", \"hooks\": [{\"type\": \"command\", \"command\": \"true\", \"timeout\": 5}]}\n    ]\n  }\n}\n",
    )
    .unwrap();
    let r = diagnose(&Env {
        claude_dir: d.path().join("home/.claude"),
        home: d.path().join("home"),
        project: Some(p.clone()),
        managed_file: d.path().join("etc/managed-settings.json"),
        path: "/usr/bin:/bin".into(),
        recorded_tools: vec!["Bash".into(), "Read".into()],
        shell_path: None,
    });
    let f = r
        .findings
        .iter()
        .find(|f| f.id == "matcher-tool-case")
        .unwrap();
    assert_eq!(f.line, Some(4));
    assert!(f.fix.contains("Bash"));
    assert!(r.findings.iter().any(|f| f.id == "matcher-never-matched"));
    assert_eq!(r.hooks.len(), 1);
    assert_eq!(r.hooks[0].event, "PreToolUse");
    assert!(Path::new(&r.hooks[0].file).ends_with(".claude/settings.json"));
}
