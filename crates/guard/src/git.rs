//! Questions the git policies ask about the repository.
//!
//! Policies only consult the probe for commands that are already
//! destructive in form (`git reset --hard`, `git clean -f`, force push), so
//! ordinary commands never spawn a process.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub trait GitProbe {
    /// Current branch of the repo containing `dir` (None: detached/unknown/not a repo).
    fn current_branch(&self, dir: &Path) -> Option<String>;
    /// Would `git reset --hard` / `git clean` here destroy work that exists nowhere else? Err = could not tell.
    fn has_uncommitted_changes(&self, dir: &Path) -> Result<bool, String>;
    fn has_unpushed_commits(&self, dir: &Path) -> Result<bool, String>;
    fn has_untracked_files(&self, dir: &Path, include_ignored: bool) -> Result<bool, String>;
    /// Is there a stash entry (`git stash drop` / `clear` would lose it)?
    /// Unknown probes assume there is.
    fn has_stash(&self, _dir: &Path) -> Result<bool, String> {
        Ok(true)
    }
    /// Does `branch` hold commits on no other branch and no remote
    /// (`git branch -D` would lose them)? Unknown probes assume it does.
    fn branch_unmerged(&self, _dir: &Path, _branch: &str) -> Result<bool, String> {
        Ok(true)
    }
}

/// Pessimistic probe for the corpus and for callers that cannot look.
pub struct AssumeWorst;

impl GitProbe for AssumeWorst {
    fn current_branch(&self, _: &Path) -> Option<String> {
        Some("main".into())
    }
    fn has_uncommitted_changes(&self, _: &Path) -> Result<bool, String> {
        Ok(true)
    }
    fn has_unpushed_commits(&self, _: &Path) -> Result<bool, String> {
        Ok(true)
    }
    fn has_untracked_files(&self, _: &Path, _: bool) -> Result<bool, String> {
        Ok(true)
    }
}

/// Asks the real repository: `.git/HEAD` is read directly, the rest runs
/// `git -C dir ...` killed after `timeout`.
pub struct RealGit {
    pub timeout: Duration,
}

impl Default for RealGit {
    fn default() -> Self {
        RealGit {
            timeout: Duration::from_secs(2),
        }
    }
}

/// The git directory for `dir`: walks up to the first `.git`, following the
/// `gitdir: ...` indirection of worktrees and submodules.
fn git_dir(dir: &Path) -> Option<PathBuf> {
    let mut cur = Some(dir);
    while let Some(d) = cur {
        let g = d.join(".git");
        if g.is_dir() {
            return Some(g);
        }
        if g.is_file() {
            let text = std::fs::read_to_string(&g).ok()?;
            let target = text.lines().next()?.strip_prefix("gitdir:")?.trim();
            let p = Path::new(target);
            return Some(if p.is_absolute() {
                p.to_path_buf()
            } else {
                d.join(p)
            });
        }
        cur = d.parent();
    }
    None
}

impl RealGit {
    pub fn new(timeout: Duration) -> Self {
        RealGit { timeout }
    }

    fn run(&self, dir: &Path, args: &[&str]) -> Result<String, String> {
        let mut child = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .env("GIT_OPTIONAL_LOCKS", "0")
            .env("LC_ALL", "C")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run git: {e}"))?;
        // Drain the pipes on threads so a chatty git cannot block on a full
        // pipe while we wait for it.
        let mut out = child.stdout.take().expect("piped");
        let errp = child.stderr.take().expect("piped");
        let t_out = std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = out.read_to_end(&mut v);
            v
        });
        let t_err = std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = errp.take(4096).read_to_end(&mut v);
            v
        });
        let deadline = Instant::now() + self.timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(s)) => break s,
                Ok(None) if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!(
                        "git {} timed out after {:?}",
                        args.first().unwrap_or(&""),
                        self.timeout
                    ));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(2)),
                Err(e) => return Err(format!("waiting for git: {e}")),
            }
        };
        let stdout = t_out.join().unwrap_or_default();
        let stderr = t_err.join().unwrap_or_default();
        if !status.success() {
            return Err(format!(
                "git {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&stderr).trim()
            ));
        }
        Ok(String::from_utf8_lossy(&stdout).into_owned())
    }
}

impl GitProbe for RealGit {
    fn current_branch(&self, dir: &Path) -> Option<String> {
        let head = std::fs::read_to_string(git_dir(dir)?.join("HEAD")).ok()?;
        let r = head.trim().strip_prefix("ref:")?.trim();
        Some(r.strip_prefix("refs/heads/").unwrap_or(r).to_string())
    }

    fn has_uncommitted_changes(&self, dir: &Path) -> Result<bool, String> {
        let out = self.run(dir, &["status", "--porcelain", "--untracked-files=no"])?;
        Ok(!out.trim().is_empty())
    }

    fn has_unpushed_commits(&self, dir: &Path) -> Result<bool, String> {
        // Commits reachable from HEAD but from no remote-tracking ref: with
        // no remote at all every commit exists only here.
        let out = self.run(dir, &["rev-list", "--count", "HEAD", "--not", "--remotes"])?;
        Ok(out
            .trim()
            .parse::<u64>()
            .map_err(|e| format!("git rev-list: {e}"))?
            > 0)
    }

    fn has_untracked_files(&self, dir: &Path, include_ignored: bool) -> Result<bool, String> {
        let mut args = vec!["status", "--porcelain", "--untracked-files=all"];
        if include_ignored {
            args.push("--ignored");
        }
        let out = self.run(dir, &args)?;
        Ok(out
            .lines()
            .any(|l| l.starts_with("??") || (include_ignored && l.starts_with("!!"))))
    }

    fn has_stash(&self, dir: &Path) -> Result<bool, String> {
        let out = self.run(dir, &["stash", "list"])?;
        Ok(!out.trim().is_empty())
    }

    fn branch_unmerged(&self, dir: &Path, branch: &str) -> Result<bool, String> {
        if branch.starts_with('-') {
            return Err(format!("not a branch name: {branch}"));
        }
        // Commits of the branch that no other branch and no remote-tracking
        // ref has.
        // --branches matches the pattern against names without refs/heads/.
        let exclude = format!("--exclude={branch}");
        let out = self.run(
            dir,
            &[
                "rev-list",
                "--count",
                &format!("refs/heads/{branch}"),
                "--not",
                &exclude,
                "--branches",
                "--remotes",
            ],
        )?;
        Ok(out
            .trim()
            .parse::<u64>()
            .map_err(|e| format!("git rev-list: {e}"))?
            > 0)
    }
}

/// One time budget for every question of one evaluation, answers cached.
///
/// Each `git` call of [`RealGit`] has its own timeout, but one command line
/// may hold hundreds of `git reset --hard X;` parts: without an overall
/// deadline a hostile or unlucky command could keep the hook (which ignores
/// SIGTERM) busy for minutes. Past the deadline every question is an
/// internal error, which the policy's failure mode turns into a decision.
pub struct Budgeted<P> {
    inner: P,
    deadline: Instant,
    cache: std::cell::RefCell<Vec<Answered>>,
}

/// (directory, question) and its answer.
type Answered = ((PathBuf, u8), Result<bool, String>);

impl<P: GitProbe> Budgeted<P> {
    pub fn new(inner: P, budget: Duration) -> Self {
        Budgeted {
            inner,
            deadline: Instant::now() + budget,
            cache: Default::default(),
        }
    }

    fn ask(
        &self,
        dir: &Path,
        q: u8,
        f: impl FnOnce(&P) -> Result<bool, String>,
    ) -> Result<bool, String> {
        let key = (dir.to_path_buf(), q);
        if let Some((_, r)) = self.cache.borrow().iter().find(|(k, _)| *k == key) {
            return r.clone();
        }
        let r = if Instant::now() >= self.deadline {
            Err("git probe time budget used up".to_string())
        } else {
            f(&self.inner)
        };
        self.cache.borrow_mut().push((key, r.clone()));
        r
    }
}

impl<P: GitProbe> GitProbe for Budgeted<P> {
    fn current_branch(&self, dir: &Path) -> Option<String> {
        // A file read, not a process: no budget needed.
        self.inner.current_branch(dir)
    }
    fn has_uncommitted_changes(&self, dir: &Path) -> Result<bool, String> {
        self.ask(dir, 0, |p| p.has_uncommitted_changes(dir))
    }
    fn has_unpushed_commits(&self, dir: &Path) -> Result<bool, String> {
        self.ask(dir, 1, |p| p.has_unpushed_commits(dir))
    }
    fn has_untracked_files(&self, dir: &Path, include_ignored: bool) -> Result<bool, String> {
        self.ask(dir, 2 + include_ignored as u8, |p| {
            p.has_untracked_files(dir, include_ignored)
        })
    }
    fn has_stash(&self, dir: &Path) -> Result<bool, String> {
        self.ask(dir, 4, |p| p.has_stash(dir))
    }
    fn branch_unmerged(&self, dir: &Path, branch: &str) -> Result<bool, String> {
        // The branch is part of the key (a path below the repository).
        self.ask(&dir.join("\0branch").join(branch), 5, |p| {
            p.branch_unmerged(dir, branch)
        })
    }
}

#[cfg(test)]
mod budget_tests {
    use super::*;
    use std::cell::Cell;

    struct Slow(Cell<u32>);
    impl GitProbe for Slow {
        fn current_branch(&self, _: &Path) -> Option<String> {
            None
        }
        fn has_uncommitted_changes(&self, _: &Path) -> Result<bool, String> {
            self.0.set(self.0.get() + 1);
            std::thread::sleep(Duration::from_millis(30));
            Ok(true)
        }
        fn has_unpushed_commits(&self, _: &Path) -> Result<bool, String> {
            Ok(false)
        }
        fn has_untracked_files(&self, _: &Path, _: bool) -> Result<bool, String> {
            Ok(false)
        }
    }

    #[test]
    fn answers_are_cached_and_the_budget_ends_questions() {
        let b = Budgeted::new(Slow(Cell::new(0)), Duration::from_millis(50));
        for _ in 0..10 {
            assert_eq!(b.has_uncommitted_changes(Path::new("/a")), Ok(true));
        }
        assert_eq!(b.inner.0.get(), 1, "cached");
        let _ = b.has_uncommitted_changes(Path::new("/b"));
        let _ = b.has_uncommitted_changes(Path::new("/c"));
        assert!(b.has_uncommitted_changes(Path::new("/d")).is_err());
        assert!(b.inner.0.get() <= 3);
    }
}
