//! `hookwatch install` / `uninstall` on real settings files.

mod common;
use common::*;
use serde_json::Value;
use std::path::Path;

fn settings(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const EXISTING: &str = r#"{
  "model": "opus",
  "permissions": {
    "allow": ["Bash(npm test)"]
  },
  "hooks": {
    "PreToolUse": [
      {
        "matcher": "Bash",
        "hooks": [
          {
            "type": "command",
            "command": "./scripts/guard.sh",
            "timeout": 1.5
          }
        ]
      }
    ]
  }
}
"#;

#[test]
fn project_install_merges_is_idempotent_and_uninstall_restores_the_exact_bytes() {
    let h = Home::new();
    let proj = h.path().join("proj");
    let file = proj.join(".claude/settings.json");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, EXISTING).unwrap();
    let pd = proj.to_str().unwrap();

    let out = ok(&h.run(&["install", "--scope", "project", "--project-dir", pd]));
    assert!(out.contains("added"), "{out}");
    assert!(
        out.contains("WorktreeCreate"),
        "skipped events are explained: {out}"
    );
    let v = settings(&file);
    assert_eq!(v["model"], "opus");
    let pre = v["hooks"]["PreToolUse"].as_array().unwrap();
    assert_eq!(
        pre[0]["hooks"][0]["command"], "./scripts/guard.sh",
        "foreign hook untouched"
    );
    let ours = &pre[1]["hooks"][0];
    assert_eq!(ours["command"], format!("{BIN} hook"));
    assert_eq!(ours["timeout"], 5);
    assert!(v["hooks"].get("WorktreeCreate").is_none());
    assert!(v["hooks"].get("MessageDisplay").is_none());
    assert_eq!(
        std::fs::read_to_string(proj.join(".claude/settings.json.hookwatch-backup")).unwrap(),
        EXISTING
    );

    let once = std::fs::read(&file).unwrap();
    let again = ok(&h.run(&["install", "--scope", "project", "--project-dir", pd]));
    assert!(again.contains("already installed"), "{again}");
    assert_eq!(
        std::fs::read(&file).unwrap(),
        once,
        "second install changes nothing"
    );

    ok(&h.run(&["uninstall", "--scope", "project", "--project-dir", pd]));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        EXISTING,
        "byte-identical after uninstall"
    );
}

#[test]
fn dry_run_shows_a_diff_and_writes_nothing() {
    let h = Home::new();
    let proj = h.path().join("p");
    let out = ok(&h.run(&[
        "install",
        "--scope",
        "local",
        "--project-dir",
        proj.to_str().unwrap(),
        "--dry-run",
    ]));
    assert!(out.contains("+++ "), "{out}");
    assert!(
        out.contains(r#"+        "PostToolUseFailure": ["#) || out.contains("PostToolUseFailure"),
        "{out}"
    );
    assert!(out.contains("dry run"));
    assert!(!proj.join(".claude/settings.local.json").exists());
}

#[test]
fn user_scope_honours_claude_config_dir() {
    let h = Home::new();
    let cfg = h.path().join("cc");
    let out = h
        .cmd()
        .args(["install"])
        .env("CLAUDE_CONFIG_DIR", &cfg)
        .output()
        .unwrap();
    ok(&out);
    let v = settings(&cfg.join("settings.json"));
    assert!(v["hooks"]["StopFailure"].is_array());
    // Uninstall removes everything install created: the file is back to `{}`.
    ok(&h
        .cmd()
        .args(["uninstall"])
        .env("CLAUDE_CONFIG_DIR", &cfg)
        .output()
        .unwrap());
    assert_eq!(settings(&cfg.join("settings.json")), serde_json::json!({}));
}

#[test]
fn user_scope_defaults_to_home_dot_claude() {
    let h = Home::new();
    let home = h.path().join("home");
    ok(&h
        .cmd()
        .args(["install", "--scope", "user"])
        .env("HOME", &home)
        .env_remove("CLAUDE_CONFIG_DIR")
        .output()
        .unwrap());
    assert!(home.join(".claude/settings.json").exists());
}

#[test]
fn invalid_json_is_refused_and_the_file_left_alone() {
    let h = Home::new();
    let proj = h.path().join("p");
    let file = proj.join(".claude/settings.json");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let broken = "{\n  \"hooks\": {,\n}\n";
    std::fs::write(&file, broken).unwrap();
    let out = h.run(&[
        "install",
        "--scope",
        "project",
        "--project-dir",
        proj.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not valid JSON") && err.contains("line 2") && err.contains("changed nothing"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), broken);
    assert!(!proj.join(".claude/settings.json.hookwatch-backup").exists());
}

#[test]
fn uninstall_keeps_hooks_added_after_install() {
    let h = Home::new();
    let proj = h.path().join("p");
    let pd = proj.to_str().unwrap();
    ok(&h.run(&["install", "--scope", "project", "--project-dir", pd]));
    let file = proj.join(".claude/settings.json");
    let mut v = settings(&file);
    v["hooks"]["Stop"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"hooks":[{"type":"command","command":"notify-send done"}]}));
    std::fs::write(&file, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    ok(&h.run(&["uninstall", "--scope", "project", "--project-dir", pd]));
    let v = settings(&file);
    assert_eq!(
        v,
        serde_json::json!({"hooks":{"Stop":[{"hooks":[{"type":"command","command":"notify-send done"}]}]}})
    );
}

/// A dotfiles-style symlinked settings.json stays a symlink; the target changes.
#[test]
fn a_symlinked_settings_file_is_written_through() {
    let h = Home::new();
    let real = h.path().join("dotfiles/claude-settings.json");
    std::fs::create_dir_all(real.parent().unwrap()).unwrap();
    std::fs::write(&real, "{}\n").unwrap();
    let cfg = h.path().join("cc");
    std::fs::create_dir_all(&cfg).unwrap();
    std::os::unix::fs::symlink(&real, cfg.join("settings.json")).unwrap();
    ok(&h
        .cmd()
        .args(["install"])
        .env("CLAUDE_CONFIG_DIR", &cfg)
        .output()
        .unwrap());
    assert!(std::fs::symlink_metadata(cfg.join("settings.json"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(settings(&real)["hooks"]["Stop"].is_array());
}

/// A settings file holding keys in `env` is often 0600; its backup must not be wider.
#[test]
fn the_backup_keeps_the_settings_file_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let h = Home::new();
    let proj = h.path().join("p");
    let file = proj.join(".claude/settings.local.json");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, "{\"env\": {\"X\": \"1\"}}\n").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    ok(&h.run(&[
        "install",
        "--scope",
        "local",
        "--project-dir",
        proj.to_str().unwrap(),
    ]));
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&file), 0o600);
    assert_eq!(
        mode(&proj.join(".claude/settings.local.json.hookwatch-backup")),
        0o600
    );
}

/// `install --scope project --project-dir DIR --recover`.
const RECOVER: [&str; 5] = [
    "install",
    "--scope",
    "project",
    "--recover",
    "--project-dir",
];

fn install_recover(h: &Home, proj: &Path) -> std::process::Output {
    let mut args = RECOVER.to_vec();
    args.push(proj.to_str().unwrap());
    h.run(&args)
}

/// A project dir with the settings file EXISTING.
fn project_with_settings(h: &Home, name: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let proj = h.path().join(name);
    let file = proj.join(".claude/settings.json");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, EXISTING).unwrap();
    (proj, file)
}

/// `install --recover` in three projects, one after another: each joins the
/// list hookwatch wrote, and the user's comments and layout stay.
#[test]
fn recover_in_a_second_and_third_project_adds_each_and_keeps_comments() {
    let h = Home::new();
    let config = h.path().join("config.toml");
    let user_text = "# my hookwatch setup\n[store]\nfsync = true  # laptops lose power\n";
    std::fs::write(&config, user_text).unwrap();
    let mut dirs = Vec::new();
    for name in ["a", "b", "c d"] {
        let proj = h.path().join(name);
        std::fs::create_dir_all(&proj).unwrap();
        let out = ok(&install_recover(&h, &proj));
        let real = proj.canonicalize().unwrap().display().to_string();
        assert!(out.contains(&format!("recovery on for {real}")), "{out}");
        assert!(settings(&proj.join(".claude/settings.json"))["hooks"]["StopFailure"].is_array());
        dirs.push(real);
    }
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(text.starts_with(user_text), "the user's lines stay: {text}");
    let parsed: toml::Table = toml::from_str(&text).unwrap();
    let listed: Vec<&str> = parsed["recover"]["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(listed, dirs);
    // The same project again: nothing to change, and no error.
    let pd = h.path().join("b");
    let again = ok(&install_recover(&h, &pd));
    assert!(again.contains("recovery already on"), "{again}");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), text);
    // hookwatch itself reads the result.
    let shown = ok(&h.run(&["config"]));
    assert!(shown.contains("c d"), "{shown}");
}

/// A config.toml hookwatch cannot edit safely is refused before anything
/// is written: the settings file is not half-installed.
#[test]
fn recover_refused_by_the_config_leaves_the_settings_file_alone() {
    let h = Home::new();
    let config = h.path().join("config.toml");
    let bad = "# hand-written\nrecover = \"on please\"\n";
    std::fs::write(&config, bad).unwrap();
    let (proj, file) = project_with_settings(&h, "p");
    let out = install_recover(&h, &proj);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("config.toml") && err.contains("changed nothing"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), EXISTING);
    assert_eq!(std::fs::read_to_string(&config).unwrap(), bad);
    assert!(!proj.join(".claude/settings.json.hookwatch-backup").exists());
}

/// A write that fails midway (here: the file size limit, as a full disk
/// would) puts back every file already written: both as they were.
#[test]
fn a_failure_midway_leaves_both_files_as_they_were() {
    use std::os::unix::process::CommandExt;
    let h = Home::new();
    let config = h.path().join("config.toml");
    let before = "# mine\n[recover]\nprojects = [\"/elsewhere\"]  # the other repo\n";
    std::fs::write(&config, before).unwrap();
    let (proj, file) = project_with_settings(&h, "p");
    let listing = |dir: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let mut cmd = h.cmd();
    let home_before = listing(h.path());
    cmd.args(RECOVER).arg(&proj);
    // config.toml (small) is written first and succeeds; the settings file
    // (several KB) then fails with EFBIG.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let lim = libc::rlimit {
                rlim_cur: 2048,
                rlim_max: 2048,
            };
            libc::setrlimit(libc::RLIMIT_FSIZE, &lim);
            Ok(())
        });
    }
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("nothing was changed"), "{err}");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), before);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), EXISTING);
    assert_eq!(
        listing(file.parent().unwrap()),
        ["settings.json"],
        "no temp or backup file left"
    );
    assert_eq!(listing(h.path()), home_before, "no manifest left");
    // Without the limit the same command succeeds.
    ok(&install_recover(&h, &proj));
    assert!(std::fs::read_to_string(&config)
        .unwrap()
        .contains("# the other repo"));
}
