//! RealGit against real repositories built with the git CLI.

use hookwatch_guard::{Decision, GitProbe, Guard, GuardConfig, RealGit, Request};
use serde_json::json;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// These tests are the only proof that the git probe reads real
/// repositories right: a machine without git fails them (TESTING.md: nothing
/// is skipped), it does not pass them vacuously.
fn require_git() {
    let ok = Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "git is not installed: install it (e.g. `apt-get install -y git`) to run \
         the real-repository tests"
    );
}

fn decide(dir: &Path, cmd: &str) -> Option<(Decision, String)> {
    let g = Guard::new(&GuardConfig::default()).unwrap();
    let input = json!({ "command": cmd });
    let d = dir.to_str().unwrap();
    let req = Request {
        tool_name: "Bash",
        tool_input: &input,
        cwd: d,
        project_dir: Some(d),
        home: Some("/nonexistent-home"),
        protected_dirs: &[],
    };
    let out = g.evaluate(&req, &RealGit::new(Duration::from_secs(10)));
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    out.verdict.map(|v| (v.decision, v.policy))
}

#[test]
fn real_repository() {
    require_git();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let remote = root.join("remote.git");
    let repo = root.join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(root, &["init", "-q", "--bare", remote.to_str().unwrap()]);
    git(&repo, &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("a.txt"), "1\n").unwrap();
    git(&repo, &["add", "a.txt"]);
    git(&repo, &["commit", "-q", "-m", "one"]);
    git(
        &repo,
        &["remote", "add", "origin", remote.to_str().unwrap()],
    );
    git(&repo, &["push", "-q", "-u", "origin", "main"]);

    let probe = RealGit::default();
    assert_eq!(probe.current_branch(&repo).as_deref(), Some("main"));
    std::fs::create_dir_all(repo.join("sub/dir")).unwrap();
    assert_eq!(
        probe.current_branch(&repo.join("sub/dir")).as_deref(),
        Some("main")
    );
    assert_eq!(probe.current_branch(root), None);

    // Clean and pushed: nothing to lose.
    assert_eq!(probe.has_uncommitted_changes(&repo), Ok(false));
    assert_eq!(probe.has_unpushed_commits(&repo), Ok(false));
    assert_eq!(decide(&repo, "git reset --hard"), None);
    assert_eq!(decide(&repo, "git reset --hard origin/main"), None);
    assert_eq!(decide(&repo, "git clean -fd"), None);

    // Dirty tracked file.
    std::fs::write(repo.join("a.txt"), "2\n").unwrap();
    assert_eq!(probe.has_uncommitted_changes(&repo), Ok(true));
    assert_eq!(
        decide(&repo, "git reset --hard"),
        Some((Decision::Deny, "git-discard-work".into()))
    );
    git(&repo, &["commit", "-q", "-am", "two"]);

    // Committed but not pushed.
    assert_eq!(probe.has_unpushed_commits(&repo), Ok(true));
    assert_eq!(
        decide(&repo, "git reset --hard origin/main"),
        Some((Decision::Deny, "git-discard-work".into()))
    );
    // HEAD stays where it is: the commit is not lost.
    assert_eq!(decide(&repo, "git reset --hard"), None);

    // Untracked and ignored files.
    std::fs::write(repo.join("new.txt"), "x").unwrap();
    assert_eq!(probe.has_untracked_files(&repo, false), Ok(true));
    assert_eq!(
        decide(&repo, "git clean -fd"),
        Some((Decision::Deny, "git-discard-work".into()))
    );
    assert_eq!(decide(&repo, "git clean -n"), None);
    std::fs::remove_file(repo.join("new.txt")).unwrap();
    std::fs::write(repo.join(".gitignore"), "*.log\n").unwrap();
    git(&repo, &["add", ".gitignore"]);
    git(&repo, &["commit", "-q", "-m", "ignore"]);
    std::fs::write(repo.join("x.log"), "x").unwrap();
    assert_eq!(probe.has_untracked_files(&repo, false), Ok(false));
    assert_eq!(probe.has_untracked_files(&repo, true), Ok(true));
    assert_eq!(decide(&repo, "git clean -fd"), None);
    assert_eq!(
        decide(&repo, "git clean -fdx"),
        Some((Decision::Deny, "git-discard-work".into()))
    );

    // Force push decided by the branch read from .git/HEAD.
    assert_eq!(
        decide(&repo, "git push --force"),
        Some((Decision::Deny, "git-force-push".into()))
    );
    git(&repo, &["checkout", "-q", "-b", "feature/x"]);
    assert_eq!(probe.current_branch(&repo).as_deref(), Some("feature/x"));
    assert_eq!(decide(&repo, "git push --force"), None);

    // Worktrees have a `.git` file pointing at the real git dir.
    let wt = root.join("wt");
    git(
        &repo,
        &[
            "worktree",
            "add",
            "-q",
            "-b",
            "wt-branch",
            wt.to_str().unwrap(),
        ],
    );
    assert!(wt.join(".git").is_file());
    assert_eq!(probe.current_branch(&wt).as_deref(), Some("wt-branch"));

    // Detached HEAD: no branch.
    git(&repo, &["checkout", "-q", "--detach"]);
    assert_eq!(probe.current_branch(&repo), None);

    // Not a repository: the probe errs (fail mode decides).
    assert!(probe.has_uncommitted_changes(root).is_err());
}

#[test]
fn timeout_kills_git() {
    require_git();
    let tmp = tempfile::tempdir().unwrap();
    let probe = RealGit::new(Duration::from_nanos(1));
    // Either git was too slow (timed out) or failed (not a repo); never hangs.
    assert!(probe.has_uncommitted_changes(tmp.path()).is_err());
}

/// Checkout/restore/switch, stash drop/clear, branch -D/-f and worktree
/// remove --force, each denied only when the real repository has the work
/// they would destroy, and allowed when it does not.
#[test]
fn work_destroyed_only_when_it_exists() {
    require_git();
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("a.txt"), "1\n").unwrap();
    git(&repo, &["add", "a.txt"]);
    git(&repo, &["commit", "-q", "-m", "one"]);
    let deny = Some((Decision::Deny, "git-discard-work".to_string()));

    // Clean: nothing to overwrite, no stash, every branch merged.
    for c in [
        "git checkout -- .",
        "git checkout -f main",
        "git restore .",
        "git switch -f main",
        "git stash drop",
        "git stash clear",
    ] {
        assert_eq!(decide(&repo, c), None, "{c}");
    }
    git(&repo, &["branch", "merged"]);
    assert_eq!(decide(&repo, "git branch -D merged"), None);

    // A modified tracked file: every form that overwrites it is denied.
    std::fs::write(repo.join("a.txt"), "2\n").unwrap();
    for c in [
        "git checkout -- .",
        "git checkout -- a.txt",
        "git checkout a.txt",
        "git checkout -f main",
        "git checkout -qf main",
        "git checkout HEAD a.txt",
        "git restore .",
        "git restore a.txt",
        "git restore --worktree a.txt",
        "git switch -f main",
        "git switch --discard-changes main",
    ] {
        assert_eq!(decide(&repo, c), deny, "{c}");
    }
    // ...and what leaves it alone is not.
    for c in [
        "git checkout -b new",
        "git checkout -qbnew",
        "git switch -c new2",
        "git restore --staged a.txt",
        "git checkout -p a.txt",
        "git checkout --theirs a.txt",
        "git reset --merge",
        "git stash",
    ] {
        assert_eq!(decide(&repo, c), None, "{c}");
    }

    // A stash: drop and clear lose it (asked: often it was just applied).
    git(&repo, &["stash", "-q"]);
    let ask = Some((Decision::Ask, "git-drop-refs".to_string()));
    assert_eq!(decide(&repo, "git stash drop"), ask);
    assert_eq!(decide(&repo, "git stash drop stash@{0}"), ask);
    assert_eq!(decide(&repo, "git stash clear"), ask);
    assert_eq!(decide(&repo, "git stash list"), None);

    // An unmerged branch: -D and -f lose its commits; -d refuses by itself.
    git(&repo, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(repo.join("f.txt"), "f\n").unwrap();
    git(&repo, &["add", "f.txt"]);
    git(&repo, &["commit", "-q", "-m", "feature work"]);
    git(&repo, &["checkout", "-q", "main"]);
    assert_eq!(decide(&repo, "git branch -D feature"), ask);
    assert_eq!(decide(&repo, "git branch --delete --force feature"), ask);
    assert_eq!(decide(&repo, "git branch -f feature"), ask);
    assert_eq!(decide(&repo, "git branch -d feature"), None);
    git(&repo, &["branch", "keep", "feature"]);
    // Another branch has the commits now.
    assert_eq!(decide(&repo, "git branch -D feature"), None);

    // A worktree: --force loses its changes only when it has some.
    let wt = tmp.path().join("wt");
    git(
        &repo,
        &["worktree", "add", "-q", wt.to_str().unwrap(), "keep"],
    );
    let rm_wt = format!("git worktree remove --force {}", wt.display());
    assert_eq!(decide(&repo, &rm_wt), None);
    std::fs::write(wt.join("f.txt"), "changed\n").unwrap();
    assert_eq!(decide(&repo, &rm_wt), deny);
    assert_eq!(
        decide(&repo, &format!("git worktree remove {}", wt.display())),
        None,
        "without --force git refuses by itself"
    );
}
