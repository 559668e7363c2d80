//! Command and desktop targets: programs run without a shell, the text as
//! data only.

mod common;

use common::*;
use hookwatch_sink::{find_on_path, render, send, Delivery, Notification, Rendered};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

fn command(argv: &[&str]) -> hookwatch_sink::Resolved {
    let list: Vec<String> = argv.iter().map(|a| q(a)).collect();
    resolved(
        "cmd",
        &format!("type = \"command\"\nargv = [{}]\n", list.join(", ")),
    )
}

fn sh(script: &str) -> hookwatch_sink::Resolved {
    command(&["/bin/sh", "-c", script])
}

/// A title that a shell would run, in every quoting style.
fn hostile(marker: &Path) -> String {
    let m = marker.display();
    format!("-x $(touch {m}) `touch {m}` \"; touch {m}; \" ' & touch {m} | \" & do shell script \"touch {m}\"")
}

#[test]
fn command_gets_the_notification_on_stdin_without_a_shell() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("stdin.json");
    let marker = dir.path().join("pwned");
    let r = sh(&format!("cat > '{}'", out.display()));
    let mut n = notification();
    n.title = hostile(&marker);
    let d = send(&r, &n, &opts(Duration::from_secs(10)));
    assert!(
        matches!(d, Delivery::Delivered { status: None, .. }),
        "{d:?}"
    );
    let got: Notification = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(got.title, n.title);
    assert_eq!(got.key, n.key);
    assert_eq!(got.alerts[0].event_id, 42);
    assert!(!std::fs::read_to_string(&out).unwrap().contains(LEAKED));
    assert!(!marker.exists(), "the title was executed");
}

#[test]
fn command_exit_codes() {
    let d = send(
        &sh("echo done; exit 0"),
        &notification(),
        &opts(Duration::from_secs(10)),
    );
    assert_eq!(
        d,
        Delivery::Delivered {
            status: None,
            answer: "exit 0: done".into()
        }
    );
    let d = send(
        &sh("echo busy >&2; exit 75"),
        &notification(),
        &opts(Duration::from_secs(10)),
    );
    assert!(
        matches!(&d, Delivery::Retry { error, .. } if error.contains("75") && error.contains("busy")),
        "{d:?}"
    );
    let d = send(
        &sh("echo nope >&2; exit 1"),
        &notification(),
        &opts(Duration::from_secs(10)),
    );
    assert!(
        matches!(&d, Delivery::Permanent { error, .. } if error.contains("exited 1") && error.contains("nope")),
        "{d:?}"
    );
    let d = send(
        &sh("kill -9 $$"),
        &notification(),
        &opts(Duration::from_secs(10)),
    );
    assert!(
        matches!(&d, Delivery::Permanent { error, .. } if error.contains("signal 9")),
        "{d:?}"
    );
}

#[test]
fn command_timeout_kills_and_retries() {
    // The background sleep holds stdout open: the whole group must go.
    let started = Instant::now();
    let d = send(
        &sh("sleep 30 & sleep 30"),
        &notification(),
        &opts(Duration::from_millis(300)),
    );
    let took = started.elapsed();
    assert!(
        matches!(&d, Delivery::Retry { error, .. } if error.contains("killed")),
        "{d:?}"
    );
    assert!(took < Duration::from_secs(3), "{took:?}");
}

#[test]
fn command_that_ignores_stdin_still_works() {
    let mut n = notification();
    n.alerts = (1..=40).map(|i| alert(i, &"x".repeat(1000))).collect();
    let d = send(&command(&["/bin/true"]), &n, &opts(Duration::from_secs(10)));
    assert!(matches!(d, Delivery::Delivered { .. }), "{d:?}");
}

#[test]
fn missing_program_is_permanent() {
    let d = send(
        &command(&["/nonexistent/hookwatch-page-me"]),
        &notification(),
        &opts(Duration::from_secs(5)),
    );
    assert!(
        matches!(&d, Delivery::Permanent { error, .. } if error.contains("/nonexistent/hookwatch-page-me")),
        "{d:?}"
    );
}

/// A fake notify-send that records its argv, NUL-separated.
fn fake_notify_send(dir: &Path, record: &Path) -> std::path::PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir(&bin).unwrap();
    let p = bin.join("notify-send");
    std::fs::write(
        &p,
        format!(
            "#!/bin/sh\nprintf '%s\\0' \"$@\" > '{}'\n",
            record.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

#[test]
fn desktop_passes_text_as_separate_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("argv");
    let marker = dir.path().join("pwned");
    let bin = fake_notify_send(dir.path(), &record);
    // The search PATH is injected; the test process's own PATH is untouched.
    let search = std::env::join_paths([Path::new("/nonexistent"), &bin]).unwrap();
    let mut r = resolved("desk", "type = \"desktop\"\napp_name = \"hw-test\"\n");
    r.desktop_program = find_on_path("notify-send", &search);
    assert_eq!(
        r.desktop_program.as_deref(),
        Some(bin.join("notify-send").as_path())
    );
    let mut n = notification();
    n.title = hostile(&marker);
    let d = send(&r, &n, &opts(Duration::from_secs(10)));
    assert!(matches!(d, Delivery::Delivered { .. }), "{d:?}");
    let raw = std::fs::read(&record).unwrap();
    let argv: Vec<String> = raw
        .split(|&b| b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8(a.to_vec()).unwrap())
        .collect();
    assert_eq!(argv.len(), 7, "{argv:?}");
    assert_eq!(&argv[..5], ["-a", "hw-test", "-u", "normal", "--"]);
    assert_eq!(
        argv[5], n.title,
        "the title arrives as one argument, verbatim"
    );
    assert!(argv[6].contains("hookwatch show 42") && argv[6].contains("myproj"));
    assert!(!argv[6].contains(LEAKED));
    assert!(!marker.exists());
}

#[test]
fn desktop_without_a_notifier_says_what_to_install() {
    let mut r = resolved("desk", "type = \"desktop\"\n");
    r.desktop_program = None;
    assert!(render(&r, &notification(), NOW)
        .unwrap_err()
        .contains("libnotify-bin"));
    let d = send(&r, &notification(), &opts(Duration::from_secs(5)));
    assert!(
        matches!(&d, Delivery::Permanent { error, .. } if error.contains("install libnotify-bin")),
        "{d:?}"
    );
}

#[test]
fn desktop_failure_is_permanent() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("notify-send");
    std::fs::write(
        &p,
        "#!/bin/sh\necho 'Cannot autolaunch D-Bus without X11 $DISPLAY' >&2\nexit 1\n",
    )
    .unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut r = resolved("desk", "type = \"desktop\"\n");
    r.desktop_program = Some(p);
    let d = send(&r, &notification(), &opts(Duration::from_secs(10)));
    assert!(
        matches!(&d, Delivery::Permanent { error, .. } if error.contains("D-Bus")),
        "{d:?}"
    );
}

#[test]
fn osascript_gets_the_text_as_run_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = resolved("desk", "type = \"desktop\"\n");
    r.desktop_program = Some(dir.path().join("osascript"));
    let mut n = notification();
    n.title = "\" & do shell script \"touch /tmp/x\" & \"".into();
    let Rendered::Exec { argv, .. } = render(&r, &n, NOW).unwrap() else {
        panic!()
    };
    assert_eq!(argv[1..3], ["-e", "on run argv"]);
    assert!(argv.iter().take(8).all(|a| !a.contains("touch")));
    assert_eq!(argv[8], n.title);
}

fn recorded_argv(record: &Path) -> Vec<String> {
    let raw = std::fs::read(record).unwrap();
    let mut argv: Vec<String> = raw
        .split(|&b| b == 0)
        .map(|a| String::from_utf8(a.to_vec()).unwrap())
        .collect();
    // printf ends every argument with a NUL: the last split is empty.
    assert_eq!(argv.pop().as_deref(), Some(""));
    argv
}

const TURN: &str = "12m 30s · 14 tool calls · 3 files written · 1 failure";

#[test]
fn desktop_attention_urgency_and_sound_per_kind() {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("argv");
    let bin = fake_notify_send(dir.path(), &record);
    let mut r = resolved("desk", "type = \"desktop\"\n");
    r.desktop_program = Some(bin.join("notify-send"));
    let run = |n: &Notification| {
        let d = send(&r, n, &opts(Duration::from_secs(10)));
        assert!(matches!(d, Delivery::Delivered { .. }), "{d:?}");
        recorded_argv(&record)
    };
    for (kind, urgency, sound) in [
        ("done", "normal", "complete"),
        ("needs_you", "critical", "message-new-instant"),
        ("idle", "low", "message"),
        ("failed", "critical", "dialog-warning"),
    ] {
        let n = attention(kind);
        let argv = run(&n);
        assert_eq!(
            argv[..6],
            [
                "-a".to_string(),
                "hookwatch".into(),
                "-u".into(),
                urgency.into(),
                format!("--hint=string:sound-name:{sound}"),
                "--".into(),
            ],
            "{kind}"
        );
        assert_eq!(argv.len(), 8, "{argv:?}");
        assert_eq!(argv[6], n.title);
        let body = &argv[7];
        let message = n.attention.as_ref().unwrap().message.clone().unwrap();
        assert!(body.starts_with(&message.replace('&', "&amp;")), "{body}");
        assert!(body.contains(TURN) && body.ends_with("myproj · main · fix-login-bug"));
        assert_eq!(body.contains("hookwatch show 42"), kind == "failed");

        // Some(""): silent. Some(name): that sound. A name no sound theme
        // has (quotes, `$(...)`): left out.
        for (choice, hint) in [
            ("", None),
            ("bell", Some("--hint=string:sound-name:bell")),
            ("x\"; $(touch /tmp/pwned)", None),
        ] {
            let mut n = attention(kind);
            n.attention.as_mut().unwrap().sound = Some(choice.into());
            let argv = run(&n);
            let hints: Vec<&String> = argv.iter().filter(|a| a.starts_with("--hint")).collect();
            assert_eq!(hints.first().map(|h| h.as_str()), hint, "{choice:?}");
            assert_eq!(argv.len(), 7 + hints.len());
        }

        // A huge hostile message: bounded, escaped, scrubbed.
        let argv = run(&hostile_attention(kind));
        let (summary, body) = (&argv[argv.len() - 2], &argv[argv.len() - 1]);
        assert!(summary.chars().count() <= 200);
        assert!(body.chars().count() <= 600, "{}", body.chars().count());
        assert!(body.contains("&lt;script&gt;") && !body.contains('<'));
        assert!(body.contains(TURN), "the facts survive a huge message");
        for a in &argv {
            assert_no_secret(a.as_bytes(), "notify-send argv");
        }
    }
    let mut n = attention("done");
    n.test = true;
    let argv = run(&n);
    assert_eq!(argv[6], format!("[test] {}", n.title));
}

#[test]
fn osascript_gets_the_sound_as_a_run_argument() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = resolved("desk", "type = \"desktop\"\n");
    r.desktop_program = Some(dir.path().join("osascript"));
    let argv_of = |n: &Notification| match render(&r, n, NOW).unwrap() {
        Rendered::Exec { argv, .. } => argv,
        other => panic!("{other:?}"),
    };
    for (kind, sound) in [
        ("done", "Hero"),
        ("needs_you", "Glass"),
        ("idle", "Pop"),
        ("failed", "Basso"),
    ] {
        let n = attention(kind);
        let argv = argv_of(&n);
        assert!(
            argv[4].ends_with("sound name (item 4 of argv)"),
            "{}",
            argv[4]
        );
        assert_eq!(argv[7], "--");
        assert_eq!(argv[8], n.title);
        assert!(!argv[9].contains("&amp;"), "osascript shows text as it is");
        assert_eq!(argv[10], "hookwatch");
        assert_eq!(argv[11], sound);
        assert_eq!(argv.len(), 12);

        let with_sound = |s: &str| {
            let mut n = attention(kind);
            n.attention.as_mut().unwrap().sound = Some(s.into());
            argv_of(&n)
        };
        let argv = with_sound("");
        assert!(!argv[4].contains("sound"));
        assert_eq!(argv.len(), 11);

        // A name that tries to break out of AppleScript never gets near
        // the script: argv only, and here not even that.
        let argv = with_sound("Glass\" & do shell script \"touch /tmp/x");
        assert!(argv.iter().all(|a| !a.contains("touch")));
        let argv = with_sound("Submarine");
        assert_eq!(argv[11], "Submarine");
        assert!(argv.iter().take(8).all(|a| !a.contains("Submarine")));
    }
}

#[test]
fn command_gets_the_attention_in_its_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("stdin.json");
    let r = sh(&format!("cat > '{}'", out.display()));
    for kind in KINDS {
        let n = hostile_attention(kind);
        let d = send(&r, &n, &opts(Duration::from_secs(10)));
        assert!(matches!(d, Delivery::Delivered { .. }), "{d:?}");
        let raw = std::fs::read(&out).unwrap();
        assert_no_secret(&raw, "command stdin");
        let got: Notification = serde_json::from_slice(&raw).unwrap();
        let a = got.attention.expect("attention in the JSON");
        let sent = n.attention.unwrap();
        assert_eq!(a.kind, kind);
        assert_eq!(a.priority, sent.priority);
        assert_eq!(a.turn_ms, Some(750_000));
        assert_eq!(a.tool_calls, Some(14));
        assert_eq!(
            a.branch.as_deref(),
            Some("feat/[REDACTED:aws-access-key-id]")
        );
        let m = a.message.unwrap();
        assert!(m.starts_with("token [REDACTED:"), "{}", &m[..60]);
        assert!(m.contains("<script>"), "data, not markup: passed as is");
        assert_eq!(got.title, n.title);
        assert_eq!(got.alerts.len(), usize::from(kind == "failed"));
    }
}
