//! Recursive chmod that makes a tree writable by everyone, and recursive
//! chmod/chown/chgrp of whole system or home trees (any mode or owner).

use super::{is_ancestor, is_within, quote, Cx};
use crate::command::{Arg, Cmd};
use crate::git::GitProbe;

/// System trees whose permissions or owners, changed anywhere inside,
/// break the machine (sudo, ssh and package managers check them).
const SYSTEM_TREES: &[&str] = &[
    "/etc", "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/boot", "/sys", "/proc", "/dev",
    "/System", "/nix",
];

/// Directories that hold other people's or other programs' trees: changing
/// one wholesale is dangerous, a project somewhere below them is not.
const SYSTEM_DIRS_EXACT: &[&str] = &[
    "/var",
    "/var/lib",
    "/var/log",
    "/opt",
    "/root",
    "/home",
    "/Users",
    "/private",
    "/snap",
    "/srv",
    "/Library",
    "/Applications",
    "/Volumes",
    "/mnt",
    "/media",
];

/// The operands of a recursive chmod/chown/chgrp (after its mode or owner).
fn recursive_targets(cmd: &Cmd) -> Option<Vec<&Arg>> {
    if !matches!(cmd.program.as_str(), "chmod" | "chown" | "chgrp") {
        return None;
    }
    let mut rec = false;
    let mut first_done = false;
    let mut ops = Vec::new();
    let mut end = false;
    for a in &cmd.args {
        let t = a.text.as_str();
        if end {
            ops.push(a);
        } else if t == "--" {
            end = true;
        } else if t == "--recursive" {
            rec = true;
        } else if t.starts_with("--reference=") {
            first_done = true;
        } else if t.starts_with("--") {
        } else if t.len() > 1
            && t.starts_with('-')
            && t[1..].chars().all(|c| c.is_ascii_alphabetic())
        {
            rec |= t.contains('R');
        } else if !first_done {
            // The mode (chmod), or the owner (chown) / group (chgrp).
            first_done = true;
        } else {
            ops.push(a);
        }
    }
    rec.then_some(ops)
}

/// Why changing `p`'s tree is dangerous, if it is.
fn tree_danger(p: &str, cx: &Cx) -> Option<String> {
    if p == "/" {
        return Some("the whole file system (/)".into());
    }
    if let Some(t) = SYSTEM_TREES.iter().find(|t| is_within(p, t)) {
        return Some(format!("{p}, part of the system tree {t}"));
    }
    if SYSTEM_DIRS_EXACT.contains(&p) {
        return Some(format!("the system directory {p}"));
    }
    if let Some(h) = cx.home.as_deref() {
        if p == h || is_ancestor(p, h) {
            return Some(format!("{p}, your home directory or above it"));
        }
        for d in super::rm::HOME_DIRS {
            let full = format!("{h}/{d}");
            if is_within(p, &full) && d.starts_with('.') {
                return Some(format!("{p}, inside {full} (credentials and settings)"));
            }
        }
    }
    if is_ancestor(p, &cx.project) {
        return Some(format!("{p}, which contains the project"));
    }
    None
}

/// Recursive chmod/chown/chgrp of `/`, a system tree, home (or above it) or
/// a credentials directory, whatever the mode or owner.
pub fn tree(cmd: &Cmd, cx: &Cx, _: &dyn GitProbe) -> Result<Option<String>, String> {
    let Some(ops) = recursive_targets(cmd) else {
        return Ok(None);
    };
    for a in ops {
        for p in super::rm::deletion_paths(a, cmd.cwd.as_deref()) {
            if let Some(what) = tree_danger(&p, cx) {
                return Ok(Some(format!(
                    "{} recursively changes the {} of {what}; ssh, sudo and other programs refuse to work with wrong owners or modes, and the old ones cannot be restored. Change only the files that need it, or ask the user to run it.",
                    quote(&cmd.display),
                    if cmd.program == "chmod" { "permissions" } else { "ownership" }
                )));
            }
        }
    }
    Ok(None)
}

/// The mode grants write permission to "others".
pub fn world_writable(mode: &str) -> bool {
    if !mode.is_empty() && mode.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        let others = mode.as_bytes()[mode.len() - 1] - b'0';
        return others & 2 != 0;
    }
    // Symbolic: clauses `[ugoa]*([-+=][rwxXst]*)+`. A bare `+w` is filtered
    // by the umask, so only an explicit o/a who counts.
    mode.split(',').any(|clause| {
        let who_len = clause.find(['+', '-', '=']).unwrap_or(clause.len());
        let who = &clause[..who_len];
        if !who.contains(['o', 'a']) {
            return false;
        }
        let mut op = ' ';
        for ch in clause[who_len..].chars() {
            match ch {
                '+' | '-' | '=' => op = ch,
                'w' if op == '+' || op == '=' => return true,
                _ => {}
            }
        }
        false
    })
}

pub fn check(cmd: &Cmd, _: &Cx, _: &dyn GitProbe) -> Result<Option<String>, String> {
    if cmd.program != "chmod" {
        return Ok(None);
    }
    let mut rec = false;
    let mut mode: Option<&str> = None;
    for a in &cmd.args {
        let t = a.text.as_str();
        if t == "--recursive" {
            rec = true;
        } else if t.starts_with("--") {
        } else if t.len() > 1 && t.starts_with('-') && t[1..].chars().all(|c| "cfvR".contains(c)) {
            rec |= t.contains('R');
        } else if mode.is_none() {
            mode = Some(t);
        }
    }
    // Not recursive, but the directory itself: a world-writable /etc or
    // /usr lets any user plant files there.
    if let (Some(m), false) = (mode, rec) {
        if world_writable(m) {
            let targets = cmd.args.iter().filter(|a| !a.text.starts_with('-')).skip(1);
            for a in targets {
                for p in super::rm::deletion_paths(a, cmd.cwd.as_deref()) {
                    if p == "/"
                        || SYSTEM_TREES.contains(&p.as_str())
                        || SYSTEM_DIRS_EXACT.contains(&p.as_str())
                    {
                        return Ok(Some(format!(
                            "{} makes the system directory {p} writable by every user (mode {m}): anyone could replace what the system runs. Leave system directories to the package manager, or ask the user to run it.",
                            quote(&cmd.display)
                        )));
                    }
                }
            }
        }
    }
    match mode {
        Some(m) if rec && world_writable(m) => Ok(Some(format!(
            "{} recursively makes files writable by every user and process (mode {m}). Use a narrower mode such as `chmod -R u+rwX,go+rX`, or ask the user to run it.",
            quote(&cmd.display)
        ))),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::world_writable;

    #[test]
    fn modes() {
        for m in [
            "777",
            "0777",
            "1777",
            "2777",
            "4777",
            "666",
            "0666",
            "002",
            "o+w",
            "a+w",
            "a+rwx",
            "ugo+rwx",
            "o=rwx",
            "u=rwx,go=rwx",
            "go+w",
            "a=rw",
        ] {
            assert!(world_writable(m), "{m}");
        }
        for m in [
            "755",
            "0755",
            "644",
            "775",
            "+w",
            "u+w",
            "g+w",
            "o-w",
            "a-w",
            "go-rwx",
            "u=rwx,go=rx",
            "a+r",
            "+x",
            "=rwx",
        ] {
            assert!(!world_writable(m), "{m}");
        }
    }
}
