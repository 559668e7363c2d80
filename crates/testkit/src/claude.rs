//! Running the real `claude` CLI hermetically against an [`ApiStandin`].
//!
//! [`ApiStandin`]: crate::ApiStandin

use std::ffi::OsStr;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The CLI version the end-to-end tests are written against. Hook payloads
/// and exit behaviour change between releases, so other versions are not
/// picked up from PATH.
pub const CLAUDE_VERSION: &str = "2.1.330";

/// Env var naming the CLI binary explicitly.
pub const CLAUDE_BIN_ENV: &str = "HOOKWATCH_CLAUDE_BIN";

/// The workspace root (where `.cc/` is installed by CI and by hand).
pub fn workspace_root() -> PathBuf {
    // testkit lives at <root>/crates/testkit.
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Locate the real claude CLI: `$HOOKWATCH_CLAUDE_BIN` if set, else
/// `<workspace>/.cc/node_modules/.bin/claude`, else `claude` on PATH whose
/// `--version` starts with [`CLAUDE_VERSION`]. Returns None if absent.
///
/// A set but dangling `$HOOKWATCH_CLAUDE_BIN` gives None rather than falling
/// back, so a typo cannot silently test a different binary.
pub fn find_claude() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(CLAUDE_BIN_ENV).filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        return p.is_file().then_some(p);
    }
    let local = workspace_root().join(".cc/node_modules/.bin/claude");
    if local.is_file() {
        return Some(local);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("claude"))
        .find(|c| c.is_file() && version_matches(c))
}

/// [`find_claude`], or a panic that tells how to install the CLI. End-to-end
/// tests use this: CI installs the CLI, so a missing one is a setup error
/// that must not pass as a skipped test.
pub fn require_claude() -> PathBuf {
    if let Some(p) = find_claude() {
        return p;
    }
    let root = workspace_root();
    let root = root.canonicalize().unwrap_or(root);
    panic!(
        "the real Claude Code CLI {CLAUDE_VERSION} was not found.\n\
         Install it into the workspace (gitignored, npm caches the ~380 MB binary):\n    \
         npm install --prefix {root}/.cc @anthropic-ai/claude-code@{CLAUDE_VERSION}\n\
         or point ${CLAUDE_BIN_ENV} at an installed `claude` binary{extra}.",
        root = root.display(),
        extra = match std::env::var_os(CLAUDE_BIN_ENV) {
            Some(v) if !v.is_empty() => format!(" (it is set to {:?}, which is not a file)", v),
            _ => String::new(),
        },
    );
}

fn version_matches(candidate: &Path) -> bool {
    let mut cmd = Command::new(candidate);
    cmd.arg("--version");
    match run_with_timeout(cmd, Duration::from_secs(20)) {
        Ok(Captured {
            status,
            stdout,
            timed_out: false,
            ..
        }) => status.success() && stdout.trim_start().starts_with(CLAUDE_VERSION),
        _ => false,
    }
}

/// The outcome of one CLI run.
#[derive(Debug, Clone)]
pub struct ClaudeRun {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
    /// stdout parsed as JSON (`--output-format json` prints one object).
    pub json: Option<Value>,
    pub elapsed: Duration,
}

impl ClaudeRun {
    pub fn session_id(&self) -> Option<&str> {
        self.json_str("session_id")
    }

    /// `completed`, `api_error`, ... from the JSON result.
    pub fn terminal_reason(&self) -> Option<&str> {
        self.json_str("terminal_reason")
    }

    /// The final assistant text (or the API error text).
    pub fn result_text(&self) -> Option<&str> {
        self.json_str("result")
    }

    fn json_str(&self, key: &str) -> Option<&str> {
        self.json.as_ref()?.get(key)?.as_str()
    }
}

/// Run `claude -p PROMPT --allowedTools <tools> --output-format json` in
/// `project_dir` with HOME=home, ANTHROPIC_BASE_URL=base_url and the
/// offline settings, plus `extra_env` (e.g. HOOKWATCH_HOME). Inherited
/// ANTHROPIC_* / CLAUDE_* / CLAUDECODE / HOOKWATCH_* / proxy / XDG_* vars are
/// cleared first so a developer's own setup cannot leak in. If the CLI runs
/// past `timeout` it is killed with its process group and an `ErrorKind::
/// TimedOut` error carrying its output so far is returned.
#[allow(clippy::too_many_arguments)] // the signature the e2e tests were written against
pub fn run_claude(
    claude: &Path,
    project_dir: &Path,
    home: &Path,
    base_url: &str,
    prompt: &str,
    allowed_tools: &str,
    extra_env: &[(&str, &str)],
    timeout: Duration,
) -> io::Result<ClaudeRun> {
    run_claude_args(
        claude,
        project_dir,
        home,
        base_url,
        &[
            "-p",
            prompt,
            "--allowedTools",
            allowed_tools,
            "--output-format",
            "json",
        ],
        extra_env,
        timeout,
    )
}

/// [`run_claude`] with the CLI arguments given in full, e.g. for
/// `--resume SESSION_ID -p continue ...`.
pub fn run_claude_args<S: AsRef<OsStr>>(
    claude: &Path,
    project_dir: &Path,
    home: &Path,
    base_url: &str,
    args: &[S],
    extra_env: &[(&str, &str)],
    timeout: Duration,
) -> io::Result<ClaudeRun> {
    let mut cmd = Command::new(claude);
    cmd.args(args).current_dir(project_dir);
    hermetic_env(&mut cmd, home, base_url);
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let started = Instant::now();
    let out = run_with_timeout(cmd, timeout)?;
    if out.timed_out {
        return Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!(
                "{} did not exit within {timeout:?}; killed it.\n--- stdout ---\n{}\n--- stderr ---\n{}",
                claude.display(),
                out.stdout,
                out.stderr
            ),
        ));
    }
    let json = parse_result_json(&out.stdout);
    Ok(ClaudeRun {
        status: out.status,
        stdout: out.stdout,
        stderr: out.stderr,
        json,
        elapsed: started.elapsed(),
    })
}

/// The environment `run_claude` gives the CLI: the developer's own Anthropic,
/// Claude, hookwatch, proxy and XDG settings removed; the stand-in as API.
pub fn hermetic_env(cmd: &mut Command, home: &Path, base_url: &str) {
    for (key, _) in std::env::vars_os() {
        let Some(k) = key.to_str() else { continue };
        let upper = k.to_ascii_uppercase();
        let leaks = k.starts_with("ANTHROPIC_")
            || k.starts_with("CLAUDE_")
            || k == "CLAUDECODE"
            || k.starts_with("HOOKWATCH_")
            // A proxy would swallow the loopback traffic meant for the stand-in.
            || matches!(upper.as_str(), "HTTP_PROXY" | "HTTPS_PROXY" | "ALL_PROXY" | "NO_PROXY")
            // Without these, tools fall back to paths under the temp HOME.
            || k.starts_with("XDG_");
        if leaks {
            cmd.env_remove(&key);
        }
    }
    cmd.env("HOME", home)
        .env("ANTHROPIC_BASE_URL", base_url)
        .env("ANTHROPIC_API_KEY", "sk-ant-test")
        .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
        .env("DISABLE_AUTOUPDATER", "1")
        .env("CLAUDE_CODE_MAX_RETRIES", "0")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost");
}

fn parse_result_json(stdout: &str) -> Option<Value> {
    serde_json::from_str(stdout.trim()).ok().or_else(|| {
        // Tolerate stray lines around the result object.
        stdout
            .lines()
            .rev()
            .find_map(|l| serde_json::from_str::<Value>(l.trim()).ok())
            .filter(Value::is_object)
    })
}

struct Captured {
    status: ExitStatus,
    stdout: String,
    stderr: String,
    timed_out: bool,
}

fn run_with_timeout(mut cmd: Command, timeout: Duration) -> io::Result<Captured> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Its own process group, so a timeout kills the hooks and tool commands
    // the CLI started, not only the CLI itself.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let mut child = cmd.spawn()?;
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());

    let deadline = Instant::now() + timeout;
    let (status, timed_out) = loop {
        if let Some(status) = child.try_wait()? {
            break (status, false);
        }
        if Instant::now() >= deadline {
            kill_group(child.id());
            let _ = child.kill();
            break (child.wait()?, true);
        }
        thread::sleep(Duration::from_millis(10));
    };

    // A grandchild (a backgrounded tool command, a hook that ignores
    // SIGTERM) may still hold the pipes open; take what has arrived rather
    // than wait for it.
    let grace = Instant::now() + Duration::from_secs(2);
    while !(stdout.0.is_finished() && stderr.0.is_finished()) && Instant::now() < grace {
        thread::sleep(Duration::from_millis(5));
    }
    Ok(Captured {
        status,
        stdout: take_string(&stdout.1),
        stderr: take_string(&stderr.1),
        timed_out,
    })
}

type Drain = (JoinHandle<()>, Arc<Mutex<Vec<u8>>>);

fn drain(pipe: Option<impl Read + Send + 'static>) -> Drain {
    let buf = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&buf);
    let handle = thread::spawn(move || {
        let Some(mut pipe) = pipe else { return };
        let mut chunk = [0u8; 8192];
        loop {
            match pipe.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => sink
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .extend_from_slice(&chunk[..n]),
            }
        }
    });
    (handle, buf)
}

fn take_string(buf: &Mutex<Vec<u8>>) -> String {
    String::from_utf8_lossy(&buf.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
}

fn kill_group(pid: u32) {
    // std has no killpg; the kill(1) utility does it without a libc dependency.
    #[cfg(unix)]
    let _ = Command::new("kill")
        .args(["-s", "KILL", "--", &format!("-{pid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    #[cfg(not(unix))]
    let _ = pid;
}

/// Claude Code's name for a project's transcript directory under
/// `$HOME/.claude/projects/`: the absolute cwd with every character other
/// than an ASCII letter or digit turned into `-` (observed with 2.1.330 for
/// short paths; very long paths are shortened by the CLI, which this does
/// not model).
pub fn claude_project_dir_name(cwd: &Path) -> String {
    cwd.to_string_lossy()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// A throwaway layout for one end-to-end run: `project/` (the CLI's cwd),
/// `home/` (its HOME) and `hookwatch_home/` (for `HOOKWATCH_HOME`), all
/// removed on drop. Paths are canonical, so they compare equal to the `cwd`
/// the CLI reports in hook payloads.
///
/// `project/` is not a git repository unless [`TempProject::init_git`] is
/// called: the CLI does not need one, and git state would only add noise to
/// the prompt the stand-in receives.
pub struct TempProject {
    _dir: tempfile::TempDir,
    root: PathBuf,
    project: PathBuf,
    home: PathBuf,
    hookwatch_home: PathBuf,
}

impl TempProject {
    pub fn new() -> io::Result<TempProject> {
        // A short prefix keeps the path well under the length at which the
        // CLI starts shortening transcript directory names.
        let dir = tempfile::Builder::new().prefix("hw-e2e-").tempdir()?;
        let root = dir.path().canonicalize()?;
        let project = root.join("project");
        let home = root.join("home");
        let hookwatch_home = root.join("hookwatch_home");
        for d in [&project, &home, &hookwatch_home] {
            std::fs::create_dir(d)?;
        }
        Ok(TempProject {
            _dir: dir,
            root,
            project,
            home,
            hookwatch_home,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn project(&self) -> &Path {
        &self.project
    }

    pub fn home(&self) -> &Path {
        &self.home
    }

    pub fn hookwatch_home(&self) -> &Path {
        &self.hookwatch_home
    }

    /// Write `<project>/.claude/settings.json` (where project hooks live).
    pub fn write_project_settings(&self, settings: &Value) -> io::Result<PathBuf> {
        write_json(&self.project.join(".claude/settings.json"), settings)
    }

    /// Write `$HOME/.claude/settings.json` (where user hooks live).
    pub fn write_user_settings(&self, settings: &Value) -> io::Result<PathBuf> {
        write_json(&self.home.join(".claude/settings.json"), settings)
    }

    /// Make `project/` a git repository with a local identity, so tool
    /// commands can commit without a global git config.
    pub fn init_git(&self) -> io::Result<()> {
        for args in [
            &["init", "-q"][..],
            &["config", "user.email", "e2e@hookwatch.invalid"],
            &["config", "user.name", "hookwatch e2e"],
            &["config", "commit.gpgsign", "false"],
        ] {
            let status = Command::new("git")
                .args(args)
                .current_dir(&self.project)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .status()?;
            if !status.success() {
                return Err(io::Error::other(format!("git {args:?} failed: {status}")));
            }
        }
        Ok(())
    }

    /// `$HOME/.claude/projects/<project dir name>/`.
    pub fn transcript_dir(&self) -> PathBuf {
        self.home
            .join(".claude/projects")
            .join(claude_project_dir_name(&self.project))
    }

    pub fn transcript_path(&self, session_id: &str) -> PathBuf {
        self.transcript_dir().join(format!("{session_id}.jsonl"))
    }

    /// [`run_claude`] in this layout, with `HOOKWATCH_HOME` set to
    /// [`TempProject::hookwatch_home`] (before `extra_env`, which may
    /// override it).
    pub fn run_claude(
        &self,
        claude: &Path,
        base_url: &str,
        prompt: &str,
        allowed_tools: &str,
        extra_env: &[(&str, &str)],
        timeout: Duration,
    ) -> io::Result<ClaudeRun> {
        let hw_home = self.hookwatch_home.to_string_lossy();
        let mut env = vec![("HOOKWATCH_HOME", hw_home.as_ref())];
        env.extend_from_slice(extra_env);
        run_claude(
            claude,
            &self.project,
            &self.home,
            base_url,
            prompt,
            allowed_tools,
            &env,
            timeout,
        )
    }
}

fn write_json(path: &Path, value: &Value) -> io::Result<PathBuf> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let text = serde_json::to_string_pretty(value).map_err(io::Error::other)?;
    std::fs::write(path, text + "\n")?;
    Ok(path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_dir_name_matches_observed_cli() {
        assert_eq!(
            claude_project_dir_name(Path::new("/tmp/exp2/.tmp_A.b/pro_j.x")),
            "-tmp-exp2--tmp-A-b-pro-j-x"
        );
    }

    #[test]
    fn result_json_is_found_among_noise() {
        assert_eq!(
            parse_result_json("warning: x\n{\"session_id\":\"s\"}\n").unwrap()["session_id"],
            "s"
        );
        assert!(parse_result_json("not json").is_none());
    }

    #[test]
    fn timeout_kills_and_reports() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo started; sleep 30"]);
        let t = Instant::now();
        let out = run_with_timeout(cmd, Duration::from_millis(300)).unwrap();
        assert!(out.timed_out);
        assert!(out.stdout.contains("started"));
        // The `sleep` grandchild must die with the group, or the pipe grace
        // period would be spent waiting for it.
        assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    }

    #[test]
    fn temp_project_layout() {
        let tp = TempProject::new().unwrap();
        for d in [tp.project(), tp.home(), tp.hookwatch_home()] {
            assert!(d.is_dir());
            assert!(d.starts_with(tp.root()));
        }
        let p = tp
            .write_project_settings(&serde_json::json!({"hooks": {}}))
            .unwrap();
        assert_eq!(p, tp.project().join(".claude/settings.json"));
        let root = tp.root().to_path_buf();
        drop(tp);
        assert!(!root.exists());
    }
}
