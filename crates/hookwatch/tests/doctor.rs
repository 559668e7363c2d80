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
