//! The desktop target on a real desktop: Xvfb, a D-Bus session and the
//! dunst notification daemon, with Debian's notify-send. A sample of each
//! kind goes through `hookwatch notify test`; dunst's own history says what
//! it showed (summary, body, urgency), and a screenshot of the screen is
//! kept in target/test-artifacts/notify/desktop.png.

use std::path::PathBuf;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_hookwatch");

fn need(program: &str, package: &str) {
    let found = std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()));
    assert!(
        found,
        "this test shows notifications on a real (virtual) desktop: install {package} (apt-get install xvfb dbus dunst libnotify-bin imagemagick)"
    );
}

#[test]
fn every_kind_reaches_a_real_notification_daemon() {
    for (p, pkg) in [
        ("Xvfb", "xvfb"),
        ("dbus-run-session", "dbus"),
        ("dunst", "dunst"),
        ("dunstctl", "dunst"),
        ("notify-send", "libnotify-bin"),
        ("import", "imagemagick"),
    ] {
        need(p, pkg);
    }
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("config.toml"),
        "[notify]\ntargets = [\"desk\"]\n\n[alerts.targets.desk]\ntype = \"desktop\"\nalerts = false\n",
    )
    .unwrap();
    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("test-artifacts/notify");
    std::fs::create_dir_all(&shot).unwrap();
    let png = shot.join("desktop.png");
    let display = format!(":{}", 40 + std::process::id() % 200);
    let mut xvfb = Command::new("Xvfb")
        .args([&display, "-screen", "0", "1024x640x24"])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(800));
    let script = format!(
        r#"dunst >/dev/null 2>&1 & sleep 1
for k in needs_you done idle failed; do HOOKWATCH_HOME='{home}' '{bin}' notify test $k || exit 1; done
sleep 0.5
echo "displayed: $(dunstctl count displayed)"
import -window root '{png}'
dunstctl close-all; sleep 0.3
dunstctl history"#,
        home = home.path().display(),
        bin = BIN,
        png = png.display()
    );
    let out = Command::new("dbus-run-session")
        .args(["--", "bash", "-c", &script])
        .env("DISPLAY", &display)
        .output()
        .unwrap();
    let _ = xvfb.kill();
    let _ = xvfb.wait();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("displayed: 4"), "{text}");
    for summary in [
        "[test] Claude needs your permission in hookwatch-demo",
        "[test] Claude is done in hookwatch-demo",
        "[test] Claude is waiting for your input in hookwatch-demo",
        "[test] Claude Code stopped in hookwatch-demo: rate_limit",
    ] {
        assert!(text.contains(summary), "{summary} not shown: {text}");
    }
    assert!(text.contains("12m 34s · 14 tool calls"), "{text}");
    // The picture people see: kept, and not empty.
    assert!(std::fs::metadata(&png).unwrap().len() > 5_000);
}
