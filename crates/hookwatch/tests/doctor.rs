//! `hookwatch doctor` through the real binary: a project as `hookwatch
//! install` leaves it has no findings; a broken one gets them with file,
//! line and fix, `--json`, and exit codes for CI (`--fail-on`).

mod common;
use common::*;
use serde_json::Value;

fn doctor(
    h: &Home,
    home: &std::path::Path,
    project: &std::path::Path,
    extra: &[&str],
) -> std::process::Output {
    h.cmd()
        .env("HOME", home)
        .env_remove("CLAUDE_CONFIG_DIR")
        .arg("doctor")
        .arg("--project")
        .arg(project)
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn hookwatchs_own_install_is_clean_and_a_broken_project_is_not() {
    let h = Home::new();
    let d = tempfile::tempdir().unwrap();
    let (home, project) = (d.path().join("home"), d.path().join("project"));
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&project).unwrap();
    let out = h
        .cmd()
        .env("HOME", &home)
        .args(["install", "--scope", "project", "--project-dir"])
        .arg(&project)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let out = doctor(&h, &home, &project, &["--json", "--fail-on", "warning"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{}",
        serde_json::to_string_pretty(&v["findings"]).unwrap()
    );
    assert!(
        v["hooks"].as_array().unwrap().len() >= 20,
        "every recorded event"
    );

    std::fs::write(
        project.join(".claude/settings.local.json"),
        "{\n  \"hooks\": {\n    \"PreToolUse\": [\n      {\"matcher\": \"bash\", \"hooks\": [{\"type\": \"command\", \"command\": \"echo $CLAUDE_TOOL_INPUT\", \"timeout\": 5}]}\n    ]\n  }\n}\n",
    )
    .unwrap();
    let out = doctor(&h, &home, &project, &[]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("settings.local.json:4  [matcher-tool-case]"),
        "{text}"
    );
    assert!(text.contains("fix: write `Bash`"), "{text}");
    assert!(text.contains("[reads-unset-variable]"), "{text}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--fail-on error"));
    let bad = doctor(&h, &home, &project, &["--fail-on", "sometimes"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("error, warning or info"));
}

/// `install --wrap`: the user's own hooks run through `hookwatch wrap`,
/// which changes nothing they do (stdout, stderr, exit code, quoting) and
/// records every run for `hookwatch health`; `uninstall` gives the file
/// back byte for byte.
#[test]
fn wrapped_hooks_behave_the_same_and_are_counted_every_time() {
    let h = Home::new();
    let d = tempfile::tempdir().unwrap();
    let (home, project) = (d.path().join("home"), d.path().join("project"));
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(project.join(".claude")).unwrap();
    let settings = serde_json::json!({"hooks": {
        "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "cat >/dev/null; echo \"it's blocked\" >&2; exit 2", "timeout": 5}]}],
        "PostToolUse": [{"matcher": "Write", "hooks": [{"type": "command", "command": "cat >/dev/null; printf '{\"systemMessage\":\"ok\"}'", "timeout": 5}]}],
        "Stop": [{"hooks": [{"type": "command", "command": "cat >/dev/null; sleep 0.2; exit 1", "timeout": 5}]}]
    }});
    let original = serde_json::to_string_pretty(&settings).unwrap() + "\n";
    let file = project.join(".claude/settings.json");
    std::fs::write(&file, &original).unwrap();
    let out = h
        .cmd()
        .env("HOME", &home)
        .args(["install", "--scope", "project", "--wrap", "--project-dir"])
        .arg(&project)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains("3 hook(s) of yours now run through `hookwatch wrap`"));
    let now: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let cmd_of = |event: &str, i: usize| -> String {
        now["hooks"][event][i]["hooks"][0]["command"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let pre = cmd_of("PreToolUse", 0);
    assert!(pre.contains(" wrap -- '"), "{pre}");
    let sh = |event: &str, command: &str| {
        let payload = serde_json::json!({"hook_event_name": event, "session_id": "w1", "cwd": project, "tool_name": "Bash", "tool_input": {"command": "ls"}}).to_string();
        run_with_stdin(
            std::process::Command::new("bash")
                .arg("-c")
                .arg(command)
                .current_dir(&project)
                .env("HOOKWATCH_HOME", h.path()),
            payload.as_bytes(),
        )
    };
    for (event, orig) in [
        (
            "PreToolUse",
            settings["hooks"]["PreToolUse"][0]["hooks"][0]["command"]
                .as_str()
                .unwrap(),
        ),
        (
            "PostToolUse",
            settings["hooks"]["PostToolUse"][0]["hooks"][0]["command"]
                .as_str()
                .unwrap(),
        ),
        (
            "Stop",
            settings["hooks"]["Stop"][0]["hooks"][0]["command"]
                .as_str()
                .unwrap(),
        ),
    ] {
        let wrapped = cmd_of(event, 0);
        let (a, b) = (sh(event, orig), sh(event, &wrapped));
        assert_eq!(a.status.code(), b.status.code(), "{event}");
        assert_eq!(a.stdout, b.stdout, "{event}");
        assert_eq!(a.stderr, b.stderr, "{event}");
    }
    // doctor checks the original commands, not the wrapper.
    let doc = doctor(&h, &home, &project, &["--json"]);
    let v: Value = serde_json::from_slice(&doc.stdout).unwrap();
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["severity"] != "error"),
        "{v:#}"
    );
    // health counts every run, from the wrapper's records.
    let out = h
        .cmd()
        .env("HOME", &home)
        .args(["health", "--json", "--project"])
        .arg(&project)
        .output()
        .unwrap();
    let rows = json_lines(&out);
    let pre_row = rows
        .iter()
        .find(|r| r["event"] == "PreToolUse")
        .unwrap_or_else(|| panic!("{rows:?}"));
    assert_eq!(pre_row["complete"], true);
    assert_eq!(pre_row["runs"], 1);
    assert_eq!(pre_row["blocks"], 1);
    assert_eq!(pre_row["last_stderr"], "it's blocked");
    let stop = rows.iter().find(|r| r["event"] == "Stop").unwrap();
    assert_eq!(
        (stop["errors"].as_u64(), stop["exit_codes"]["1"].as_u64()),
        (Some(1), Some(1))
    );
    assert!(stop["p50_ms"].as_u64().unwrap() >= 200);
    // uninstall: the exact bytes come back.
    let out = h
        .cmd()
        .env("HOME", &home)
        .args(["uninstall", "--scope", "project", "--project-dir"])
        .arg(&project)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), original);
}

/// A wrapped hook that Claude Code cancels (its timeout sends the wrapper a
/// signal): the hook is stopped too, and the run is still recorded.
#[test]
fn a_cancelled_wrapped_hook_is_stopped_and_counted() {
    let h = Home::new();
    let marker = h.path().join("still-running");
    let hook = format!("cat >/dev/null; sleep 3; touch '{}'", marker.display());
    let mut child = h
        .cmd()
        .args(["wrap", "--", &hook])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(br#"{"hook_event_name":"PreToolUse","session_id":"c1","tool_name":"Bash"}"#)
            .unwrap();
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(128 + 15), "{status:?}");
    std::thread::sleep(std::time::Duration::from_millis(3000));
    assert!(!marker.exists(), "the hook was stopped with the wrapper");
    let runs = h.events(&["--event", "HookRun"]);
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0]["payload"]["hook"]["cancelled"], 15);
}
