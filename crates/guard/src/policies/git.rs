//! History-destroying git commands: force pushes to protected branches,
//! `reset --hard` and `clean -f` that would lose work.

use super::{quote, Cx};
use crate::command::{resolve, Arg, Cmd};
use crate::git::GitProbe;
use std::path::Path;

/// Repository directory (after `-C`), subcommand and its arguments.
pub fn git_parts<'c>(cmd: &'c Cmd, cx: &Cx) -> Option<(String, &'c str, &'c [Arg])> {
    if cmd.program != "git" {
        return None;
    }
    let mut dir = cmd.cwd.clone().unwrap_or_else(|| cx.cwd.clone());
    let a = &cmd.args;
    let mut i = 0;
    while let Some(x) = a.get(i) {
        let t = x.text.as_str();
        match t {
            "-C" => {
                if let Some(d) = a.get(i + 1).filter(|d| d.known) {
                    if let Some(r) = resolve(Some(&dir), &d.text) {
                        dir = r;
                    }
                }
                i += 2;
            }
            "-c" | "--git-dir" | "--work-tree" | "--namespace" | "--config-env"
            | "--super-prefix" => i += 2,
            _ if t.starts_with("--work-tree=") => {
                if let Some(r) = resolve(Some(&dir), &t["--work-tree=".len()..]) {
                    dir = r;
                }
                i += 1;
            }
            _ if t.starts_with('-') => i += 1,
            _ => return Some((dir, t, &a[i + 1..])),
        }
    }
    None
}

fn protected(branch: &str, cx: &Cx) -> bool {
    let b = branch.strip_prefix("refs/heads/").unwrap_or(branch);
    cx.branches.iter().any(|g| g.is_match(b))
}

pub fn force_push(cmd: &Cmd, cx: &Cx, git: &dyn GitProbe) -> Result<Option<String>, String> {
    let Some((dir, "push", args)) = git_parts(cmd, cx) else {
        return Ok(None);
    };
    let (mut force, mut mirror, mut delete, mut all) = (false, false, false, false);
    let mut pos: Vec<&Arg> = Vec::new();
    let mut i = 0;
    let mut opts_done = false;
    while let Some(a) = args.get(i) {
        let t = a.text.as_str();
        i += 1;
        if opts_done || !t.starts_with('-') || t == "-" {
            pos.push(a);
            continue;
        }
        match t {
            "--" => opts_done = true,
            "--force" => force = true,
            "--mirror" => mirror = true,
            "--delete" => delete = true,
            "--all" | "--branches" => all = true,
            "--repo" | "--push-option" | "--receive-pack" | "--exec" | "-o" => i += 1,
            _ if t.starts_with("--force-with-lease") => force = true,
            _ if t.starts_with("--") => {}
            _ => {
                let cl = &t[1..];
                force |= cl.contains('f');
                delete |= cl.contains('d');
                if cl.ends_with('o') {
                    i += 1;
                }
            }
        }
    }
    let current = || git.current_branch(Path::new(&dir));
    let deny = |branch: &str, how: &str| {
        Some(format!(
            "{} {how} protected branch `{branch}`, rewriting history that others rely on. Push to a feature branch and open a pull request, or ask the user to run it.",
            quote(&cmd.display)
        ))
    };
    if mirror {
        return Ok(deny(
            "*",
            "mirrors every ref, force-updating and deleting remote branches including",
        ));
    }
    let refspecs = pos.get(1..).unwrap_or(&[]);
    if refspecs.is_empty() {
        if all && force {
            return Ok(deny("*", "force-pushes every branch, including"));
        }
        if force || delete {
            if let Some(b) = current() {
                if protected(&b, cx) {
                    return Ok(deny(&b, "force-pushes the current branch, which is"));
                }
            }
        }
        return Ok(None);
    }
    for r in refspecs {
        if !r.known {
            continue;
        }
        let plus = r.text.starts_with('+');
        let s = r.text.trim_start_matches('+');
        let (src, dst) = s.split_once(':').unwrap_or((s, s));
        let dst = if dst == "HEAD" || dst == "@" {
            match current() {
                Some(b) => b,
                None => continue,
            }
        } else {
            dst.to_string()
        };
        if dst.starts_with("refs/tags/") {
            continue;
        }
        let removes = delete || src.is_empty();
        if (force || plus || removes) && protected(&dst, cx) {
            let how = if removes {
                "deletes"
            } else {
                "force-pushes to"
            };
            return Ok(deny(&dst, how));
        }
    }
    Ok(None)
}

pub fn discard(cmd: &Cmd, cx: &Cx, git: &dyn GitProbe) -> Result<Option<String>, String> {
    let Some((dir, sub, args)) = git_parts(cmd, cx) else {
        return Ok(None);
    };
    let path = Path::new(&dir);
    match sub {
        "reset" => {
            // (`--merge` is how a merge is aborted, and keeps what it can.)
            if !args.iter().any(|a| a.text == "--hard") {
                return Ok(None);
            }
            if git.has_uncommitted_changes(path)? {
                return Ok(Some(format!(
                    "{} would discard uncommitted changes in {dir} that exist nowhere else. Commit or `git stash` them first, or ask the user to run it.",
                    quote(&cmd.display)
                )));
            }
            // Without a target HEAD stays put and no commit is lost.
            let target = args
                .iter()
                .find(|a| !a.text.starts_with('-'))
                .map(|a| a.text.as_str());
            if target.is_some_and(|t| t != "HEAD" && t != "@") && git.has_unpushed_commits(path)? {
                return Ok(Some(format!(
                    "{} would move the branch away from commits that exist on no remote. Push them or create a backup branch first (`git branch backup`), or ask the user to run it.",
                    quote(&cmd.display)
                )));
            }
            Ok(None)
        }
        "clean" => {
            let (mut force, mut dry, mut ignored, mut interactive) = (false, false, false, false);
            for a in args {
                let t = a.text.as_str();
                match t {
                    "--force" => force = true,
                    "--dry-run" => dry = true,
                    "--interactive" => interactive = true,
                    "--" => break,
                    _ if t.starts_with("--") => {}
                    _ if t.starts_with('-') => {
                        force |= t.contains('f');
                        dry |= t.contains('n');
                        ignored |= t.contains('x') || t.contains('X');
                        interactive |= t.contains('i');
                    }
                    _ => {}
                }
            }
            if !force || dry || interactive {
                return Ok(None);
            }
            if git.has_untracked_files(path, ignored)? {
                return Ok(Some(format!(
                    "{} would permanently delete untracked{} files in {dir}; git cannot restore them. Run `git clean -n` to review and delete specific paths explicitly, or ask the user to run it.",
                    quote(&cmd.display),
                    if ignored { " and ignored" } else { "" }
                )));
            }
            Ok(None)
        }
        "checkout" | "switch" | "restore" => discard_worktree(cmd, sub, args, &dir, git),
        "worktree" => {
            let mut it = args.iter().filter(|a| !a.text.starts_with('-'));
            if it.next().map(|a| a.text.as_str()) != Some("remove") {
                return Ok(None);
            }
            let force = args.iter().any(|a| {
                a.text == "--force"
                    || (a.text.starts_with('-')
                        && !a.text.starts_with("--")
                        && a.text.contains('f'))
            });
            let Some(target) = it.next().filter(|a| a.known) else {
                return Ok(None);
            };
            let Some(wt) = resolve(Some(&dir), &target.text) else {
                return Ok(None);
            };
            let wt_path = Path::new(&wt);
            if force
                && (git.has_uncommitted_changes(wt_path)?
                    || git.has_untracked_files(wt_path, false)?)
            {
                return Ok(Some(format!(
                    "{} would delete the worktree {wt} with changes that exist nowhere else. Commit or stash them there first, or ask the user to run it.",
                    quote(&cmd.display)
                )));
            }
            Ok(None)
        }
        _ => Ok(None),
    }
}

/// Asked, not denied (`git-drop-refs`): `git stash drop`/`clear` when there
/// is a stash, and `git branch -D`/`-d -f`/`-f` of a branch whose commits
/// are on no other branch and no remote. Both are often right (a stash
/// just applied, a branch squash-merged upstream), and both lose work when
/// they are not: the person decides.
pub fn drop_refs(cmd: &Cmd, cx: &Cx, git: &dyn GitProbe) -> Result<Option<String>, String> {
    let Some((dir, sub, args)) = git_parts(cmd, cx) else {
        return Ok(None);
    };
    let path = Path::new(&dir);
    match sub {
        "stash" => {
            let op = args
                .iter()
                .find(|a| !a.text.starts_with('-'))
                .map(|a| a.text.as_str());
            if matches!(op, Some("drop" | "clear")) && git.has_stash(path)? {
                return Ok(Some(format!(
                    "{} would delete stashed changes in {dir} for good (a dropped stash is only findable by hand in the reflog). Apply them, or save them on a branch (`git stash branch NAME`) first, or ask the user to run it.",
                    quote(&cmd.display)
                )));
            }
            Ok(None)
        }
        "branch" => {
            let (mut delete, mut force, mut big_d) = (false, false, false);
            let mut names = Vec::new();
            for a in args {
                let t = a.text.as_str();
                match t {
                    "--delete" => delete = true,
                    "--force" => force = true,
                    _ if t.starts_with("--") => {}
                    _ if t.starts_with('-') && t.len() > 1 => {
                        big_d |= t.contains('D');
                        delete |= t.contains('d');
                        force |= t.contains('f');
                    }
                    _ if a.known => names.push(t),
                    _ => {}
                }
            }
            if !(big_d || (delete && force)) {
                // `git branch -d` refuses to delete unmerged work by itself.
                // `git branch -f NAME [START]` moves NAME, leaving its own
                // commits behind.
                if force && !delete {
                    if let Some(b) = names.first() {
                        if git.branch_unmerged(path, b).unwrap_or(false) {
                            return Ok(Some(format!(
                                "{} would move branch `{b}` away from commits that are on no other branch and no remote. Merge or push it first, or ask the user to run it.",
                                quote(&cmd.display)
                            )));
                        }
                    }
                }
                return Ok(None);
            }
            for b in names {
                if git.branch_unmerged(path, b)? {
                    return Ok(Some(format!(
                        "{} would delete branch `{b}`, whose commits are on no other branch and no remote. Merge or push it first, or ask the user to run it.",
                        quote(&cmd.display)
                    )));
                }
            }
            Ok(None)
        }
        _ => Ok(None),
    }
}

/// `git checkout -- PATHS` / `checkout -f` / `checkout .`, `git switch -f` /
/// `--discard-changes`, `git restore PATHS` (the working tree): each
/// overwrites uncommitted changes without asking.
fn discard_worktree(
    cmd: &Cmd,
    sub: &str,
    args: &[Arg],
    dir: &str,
    git: &dyn GitProbe,
) -> Result<Option<String>, String> {
    let (mut force, mut paths, mut staged, mut worktree, mut patch) =
        (false, false, false, false, false);
    let mut after_dashdash = false;
    let mut positional = 0;
    let mut takes_value = false;
    let mut creates = false;
    let mut optional_for: Option<&[&str]> = None;
    for a in args {
        let t = a.text.as_str();
        if after_dashdash {
            paths = true;
            continue;
        }
        if std::mem::take(&mut takes_value) {
            continue;
        }
        // `--track direct`, `--recurse-submodules on-demand`: written apart,
        // the mode is taken as the option's (as the peers' tests read it).
        if let Some(modes) = optional_for.take() {
            if modes.contains(&t) {
                continue;
            }
        }
        match t {
            // New branch names (checkout -b X, switch -c X) and option values.
            "-b" | "-B" | "-c" | "-C" | "--orphan" => {
                takes_value = true;
                creates = true;
            }
            "--conflict" | "--source" | "-s" | "--unified" | "-U" | "--inter-hunk-context" => {
                takes_value = true
            }
            "--track" | "-t" => optional_for = Some(&["direct", "inherit"][..]),
            "--recurse-submodules" => {
                optional_for = Some(&["checkout", "on-demand", "yes", "no"][..])
            }
            "--" => after_dashdash = true,
            "--force" | "--discard-changes" => force = true,
            "--staged" => staged = true,
            "--worktree" => worktree = true,
            "--patch" => patch = true,
            // Resolving a conflict: the working tree is the conflict.
            "--ours" | "--theirs" | "--merge" | "-m" => return Ok(None),
            _ if t.starts_with("--pathspec-from-file") => paths = true,
            _ if t.starts_with("--") => {}
            _ if t.starts_with('-') && t.len() > 1 => {
                // A cluster of short flags; -b/-B/-c/-C end it with their
                // value (`-qbfeature` creates branch "feature").
                for (k, ch) in t[1..].char_indices() {
                    match ch {
                        'b' | 'B' | 'c' | 'C' if sub != "restore" => {
                            creates = true;
                            takes_value = k + 2 == t.len();
                            break;
                        }
                        's' | 'U' => {
                            takes_value = k + 2 == t.len();
                            break;
                        }
                        'f' => force = true,
                        'S' if sub == "restore" => staged = true,
                        'W' if sub == "restore" => worktree = true,
                        'p' => patch = true,
                        _ => {}
                    }
                }
            }
            _ => {
                positional += 1;
                // `.`, `:/`, a glob or a file of the working tree: a
                // pathspec, not a branch (`feature/x` is a branch).
                if t == "."
                    || t == ":/"
                    || t.starts_with("./")
                    || t.contains('*')
                    || (a.known && Path::new(dir).join(t).exists())
                {
                    paths = true;
                }
            }
        }
    }
    let discards = match sub {
        "restore" => positional > 0 && (!staged || worktree) && !patch,
        "switch" => force,
        // `git checkout TREE-ISH PATH...`: past the first, operands are
        // paths (not when creating a branch: `-b NEW START`).
        _ => (force || paths || (positional > 1 && !creates)) && !patch,
    };
    if discards && git.has_uncommitted_changes(Path::new(dir))? {
        return Ok(Some(format!(
            "{} would overwrite uncommitted changes in {dir} that exist nowhere else. Commit or `git stash` them first, or ask the user to run it.",
            quote(&cmd.display)
        )));
    }
    Ok(None)
}
