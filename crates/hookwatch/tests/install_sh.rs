//! `./install.sh` as a new user runs it, in a temp HOME, with cargo told to
//! install somewhere other than ~/.cargo: by `CARGO_INSTALL_ROOT`, then by
//! `[install] root` in cargo's config. The script must run the binary where
//! cargo put it (here: the demo, as Claude Code is not on PATH).
//!
//! This is a real release build (a few minutes the first time; the build
//! directory `target/install-sh` is kept, so later runs reuse it).

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A cargo home of its own (so its config.toml is the test's), sharing the
/// real one's downloaded crates so nothing is fetched again.
fn cargo_home(home: &Path, config: &str) -> PathBuf {
    let real = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cargo"));
    let ch = home.join("cargo-home");
    std::fs::create_dir_all(&ch).unwrap();
    for shared in ["registry", "git"] {
        if real.join(shared).exists() {
            std::os::unix::fs::symlink(real.join(shared), ch.join(shared)).unwrap();
        }
    }
    std::fs::write(ch.join("config.toml"), config).unwrap();
    ch
}

fn install_sh(home: &Path, cargo_home: &Path, envs: &[(&str, &Path)]) -> (String, String) {
    let real_home = PathBuf::from(std::env::var_os("HOME").unwrap());
    let rustup_home = std::env::var_os("RUSTUP_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| real_home.join(".rustup"));
    // cargo and rustc (rustup's proxies) stay reachable; claude does not.
    let path = std::env::var("PATH").unwrap_or_default();
    let path: Vec<&str> = path
        .split(':')
        .filter(|d| !Path::new(d).join("claude").exists())
        .collect();
    let mut cmd = Command::new(repo().join("install.sh"));
    cmd.env_clear()
        .env("PATH", path.join(":"))
        .env("HOME", home)
        .env("CARGO_HOME", cargo_home)
        .env("RUSTUP_HOME", rustup_home)
        .env("CARGO_TARGET_DIR", repo().join("target/install-sh"))
        .env("HOOKWATCH_HOME", home.join("hookwatch-data"));
    if let Some(t) = std::env::var_os("RUSTUP_TOOLCHAIN") {
        cmd.env("RUSTUP_TOOLCHAIN", t);
    }
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("cannot run install.sh");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "install.sh failed ({:?})\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status
    );
    (stdout, stderr)
}

#[test]
fn install_sh_runs_the_binary_where_cargo_put_it() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();

    // 1. CARGO_INSTALL_ROOT.
    let root = home.join("opt/hookwatch-root");
    let ch = cargo_home(home, "");
    let (stdout, stderr) = install_sh(home, &ch, &[("CARGO_INSTALL_ROOT", &root)]);
    let bin = root.join("bin/hookwatch");
    assert!(bin.is_file(), "{stderr}");
    assert!(
        stderr
            .lines()
            .next()
            .unwrap_or("")
            .contains("about 4 minutes"),
        "one line before the build says how long it takes: {stderr}"
    );
    assert!(
        stdout.contains(&format!("installed {}", bin.display())),
        "{stdout}"
    );
    assert!(stdout.contains("running the demo instead"), "{stdout}");
    assert!(stdout.contains("is not on your PATH"), "{stdout}");
    assert!(
        !ch.join("bin").exists() && !home.join(".cargo/bin").exists(),
        "nothing in the default root"
    );
    assert!(
        stdout.contains(&format!("{} install", bin.display())),
        "{stdout}"
    );

    // 2. `[install] root` in cargo's config, no env var.
    let home2 = tempfile::tempdir().unwrap();
    let home2 = home2.path();
    let root2 = home2.join("tools");
    let ch2 = cargo_home(
        home2,
        &format!("[install]\nroot = {:?}\n", root2.display().to_string()),
    );
    let (stdout, _) = install_sh(home2, &ch2, &[]);
    let bin2 = root2.join("bin/hookwatch");
    assert!(bin2.is_file());
    assert!(
        stdout.contains(&format!("installed {}", bin2.display())),
        "{stdout}"
    );
    assert!(stdout.contains("running the demo instead"), "{stdout}");
}
