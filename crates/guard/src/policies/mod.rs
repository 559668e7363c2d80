//! Built-in policies. Each looks at one analysed simple command and either
//! stays silent, explains why it must be denied, or reports that it could
//! not tell (an internal error, handled by the caller's fail mode).

use crate::command::Cmd;
use crate::git::GitProbe;
use hookwatch_pattern::Glob;

pub mod chmod;
pub mod disk;
pub mod git;
pub mod remote;
pub mod rm;
pub mod selfprotect;

/// Id and one-line summary of a built-in policy (`hookwatch guard policies`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct PolicyInfo {
    pub id: &'static str,
    pub summary: &'static str,
}

pub const RM_ROOT: &str = "rm-root";
pub const RM_GIT_DIR: &str = "rm-git-dir";
pub const GIT_FORCE_PUSH: &str = "git-force-push";
pub const GIT_DISCARD: &str = "git-discard-work";
pub const CHMOD: &str = "chmod-world-writable";
pub const PERM_TREE: &str = "perm-system-tree";
pub const RM_HOME_CHILD: &str = "rm-home-child";
pub const CODE_UNCLEAR: &str = "interpreter-unclear";
pub const RM_OUTSIDE: &str = "rm-outside-project";
pub const GIT_DROP_REFS: &str = "git-drop-refs";
pub const REMOTE_EXEC: &str = "remote-exec";
pub const DISK_WIPE: &str = "disk-wipe";
pub const SENSITIVE_WRITE: &str = "sensitive-file-write";
pub const SELF_PROTECT: &str = "self-protect";

pub static POLICIES: &[PolicyInfo] = &[
    PolicyInfo {
        id: RM_ROOT,
        summary: "Recursive deletion (rm -r, find -delete, find -exec rm -r, and the same through interpreters, xargs and parallel) of /, the home directory, its credential, settings, document and code directories (~/.ssh, ~/.config, ~/Documents, ~/projects, ...), another user's home, the project root or any of their parents, system directories, or a protected_paths entry, including via *, .*, .., symlinks before .., $TMPDIR/.., trailing slashes and cd earlier in the chain.",
    },
    PolicyInfo {
        id: RM_GIT_DIR,
        summary: "Recursive deletion of a .git directory (all local history, branches and stashes).",
    },
    PolicyInfo {
        id: GIT_FORCE_PUSH,
        summary: "git push with --force/-f/--force-with-lease/+refspec/--mirror/--delete/:branch targeting a protected branch (protected_branches; explicit refspec, else the current branch).",
    },
    PolicyInfo {
        id: GIT_DISCARD,
        summary: "Git commands that destroy work, judged on the repository's real state (the git probe): reset --hard with uncommitted changes (or, with a target other than HEAD, unpushed commits); clean -f with untracked (with -x: ignored) files; checkout -- PATHS / checkout -f / checkout . / switch -f / restore PATHS with uncommitted changes; worktree remove --force of a worktree with changes (stash drop and branch -D are asked about: git-drop-refs).",
    },
    PolicyInfo {
        id: CHMOD,
        summary: "Recursive chmod granting write to others (777, 666, 1777, o+w, a+rwx, o=rwx, ...).",
    },
    PolicyInfo {
        id: PERM_TREE,
        summary: "Recursive chmod/chown/chgrp (any mode or owner) of /, a system tree (/etc, /usr, /var, ...), the home directory or above it, or a credentials directory (~/.ssh, ~/.gnupg, ...).",
    },
    PolicyInfo {
        id: RM_HOME_CHILD,
        summary: "Asks (does not deny) before a recursive deletion of a directory directly in the home directory that rm-root does not already deny (~/old-checkout, ~/.npm).",
    },
    PolicyInfo {
        id: RM_OUTSIDE,
        summary: "Asks (does not deny) before a recursive deletion outside the project, the home directory and temporary directories (/tmp, /var/tmp, $TMPDIR, ...) that rm-root does not already deny (/opt/app/cache, ../other-checkout).",
    },
    PolicyInfo {
        id: GIT_DROP_REFS,
        summary: "Asks (does not deny) before git stash drop / stash clear when there is a stash, and git branch -D / -d -f / -f of a branch whose commits are on no other branch and no remote (the git probe decides).",
    },
    PolicyInfo {
        id: CODE_UNCLEAR,
        summary: "Asks (does not deny) when interpreter code (python -c, perl -e, ruby -e, node -e, php -r, or a here-doc fed to them) deletes a tree or runs a shell command built at run time and names a protected path (/, ~, /etc, ...). Calls it can read are judged like the shell commands they are.",
    },
    PolicyInfo {
        id: REMOTE_EXEC,
        summary: "Downloaded code run by a shell or interpreter: curl/wget | sh, bash <(curl ..), sh -c \"$(curl ..)\", eval \"$(curl ..)\", source <(curl ..), curl -o x.sh && sh x.sh.",
    },
    PolicyInfo {
        id: DISK_WIPE,
        summary: "Writing to a block device: dd of=/dev/sdX, mkfs*, wipefs -a, shred, fdisk/sfdisk/parted/blkdiscard/mkswap on a device, > /dev/nvme0n1, tee/cp to a device.",
    },
    PolicyInfo {
        id: SENSITIVE_WRITE,
        summary: "Writing (Write/Edit/MultiEdit/NotebookEdit, or Bash redirections, tee, sed -i, cp/mv, truncate) to .git/ internals, .claude/settings*.json, .env / .env.* (not .env.example & co.) or a protected_paths entry.",
    },
    PolicyInfo {
        id: SELF_PROTECT,
        summary: "hookwatch's user-only commands (guard allow, guard allow-once, uninstall) and writes or deletions inside hookwatch's own config/data dirs. Cannot be disabled or overridden by user rules.",
    },
];

/// Per-request context shared by the policies.
pub struct Cx<'a> {
    pub home: Option<String>,
    pub project: String,
    pub cwd: String,
    pub protected: Protected,
    pub own_dirs: Vec<String>,
    pub branches: &'a [Glob],
}

/// `protected_paths` resolved for this request.
#[derive(Default)]
pub struct Protected {
    pub exact: Vec<String>,
    /// Glob and the literal directory prefix before its first wildcard.
    pub globs: Vec<(Glob, String)>,
}

pub fn is_ancestor(a: &str, b: &str) -> bool {
    if a == "/" {
        return b != "/";
    }
    b.len() > a.len() && b.starts_with(a) && b.as_bytes()[a.len()] == b'/'
}

pub fn is_within(p: &str, dir: &str) -> bool {
    p == dir || is_ancestor(dir, p)
}

impl Protected {
    /// Writing `p` touches a protected path.
    pub fn covers(&self, p: &str) -> Option<String> {
        for e in &self.exact {
            if is_within(p, e) {
                return Some(e.clone());
            }
        }
        for (g, _) in &self.globs {
            if g.is_match(p) {
                return Some(g.as_str().to_string());
            }
        }
        None
    }

    /// Recursively deleting `p` removes (part of) a protected path.
    pub fn hit_by_delete(&self, p: &str) -> Option<String> {
        if let Some(e) = self.covers(p) {
            return Some(e);
        }
        for e in &self.exact {
            if is_ancestor(p, e) {
                return Some(e.clone());
            }
        }
        for (g, prefix) in &self.globs {
            if is_within(prefix, p) || is_ancestor(p, prefix) {
                return Some(g.as_str().to_string());
            }
        }
        None
    }
}

pub type Check = fn(&Cmd, &Cx, &dyn GitProbe) -> Result<Option<String>, String>;

/// Bash policies in evaluation order (self-protect runs before user rules
/// and is not listed here).
pub static BASH_CHECKS: &[(&str, Check)] = &[
    (RM_ROOT, rm::root),
    (RM_GIT_DIR, rm::git_dir),
    (GIT_FORCE_PUSH, git::force_push),
    (GIT_DISCARD, git::discard),
    (CHMOD, chmod::check),
    (PERM_TREE, chmod::tree),
    (REMOTE_EXEC, remote::check),
    (DISK_WIPE, disk::check),
    (SENSITIVE_WRITE, crate::files::bash_writes),
];

/// Policies that ask the user rather than deny, checked after
/// [`BASH_CHECKS`] found nothing to deny.
pub static BASH_ASKS: &[(&str, Check)] = &[
    (RM_HOME_CHILD, rm::home_child),
    (RM_OUTSIDE, rm::outside),
    (GIT_DROP_REFS, git::drop_refs),
    (CODE_UNCLEAR, code_unclear),
];

fn code_unclear(cmd: &Cmd, _: &Cx, _: &dyn GitProbe) -> Result<Option<String>, String> {
    Ok(cmd.code_risk.as_ref().map(|what| {
        format!(
            "{} deletes or runs something built at run time, and the code names {what}. Confirm what it will touch, or write the paths out.",
            quote(&cmd.display)
        )
    }))
}

/// Backticked command for reasons, shortened so the reason stays readable.
pub fn quote(s: &str) -> String {
    const MAX: usize = 160;
    if s.len() <= MAX {
        return format!("`{s}`");
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("`{}…`", &s[..end])
}
