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
/// Where a tree is: the system's (any change is dangerous) or the user's
/// own home and credentials (only loosening, or giving it away, is).
enum Scope {
    System,
    Home,
}

fn tree_danger(p: &str, cx: &Cx) -> Option<(Scope, String)> {
    // The project's own files, wherever the project lives (`/usr/src/app`
    // in a container), and what lives below /usr/local and /usr/src.
    if is_within(p, &cx.project) || ["/usr/local", "/usr/src"].iter().any(|d| is_ancestor(d, p)) {
        return None;
    }
    if p == "/" {
        return Some((Scope::System, "the whole file system (/)".into()));
    }
    if let Some(t) = SYSTEM_TREES.iter().find(|t| is_within(p, t)) {
        return Some((Scope::System, format!("{p}, part of the system tree {t}")));
    }
    if SYSTEM_DIRS_EXACT.contains(&p) {
        return Some((Scope::System, format!("the system directory {p}")));
    }
    if let Some(h) = cx.home.as_deref() {
        if is_ancestor(p, h) {
            return Some((
                Scope::System,
                format!("{p}, which contains your home directory"),
            ));
        }
        if p == h {
            return Some((Scope::Home, format!("{p}, your home directory")));
        }
        for d in super::rm::HOME_DIRS {
            let full = format!("{h}/{d}");
            if is_within(p, &full) && d.starts_with('.') {
                return Some((
                    Scope::Home,
                    format!("{p}, inside {full} (credentials and settings)"),
                ));
            }
        }
    }
    if is_ancestor(p, &cx.project) {
        return Some((Scope::System, format!("{p}, which contains the project")));
    }
    None
}

/// The mode lets group or others read or write (`755`, `go+r`, `a=rw`);
/// `700`, `go-rwx` and `+x` do not.
fn opens_up(mode: &str) -> bool {
    if !mode.is_empty() && mode.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        let d = mode.as_bytes();
        let digit = |k: usize| d.len().checked_sub(k).map_or(0, |i| d[i] - b'0');
        return (digit(1) | digit(2)) & 6 != 0;
    }
    mode.split(',').any(|clause| {
        let who_len = clause.find(['+', '-', '=']).unwrap_or(clause.len());
        let who = &clause[..who_len];
        if !(who.is_empty() || who.contains(['g', 'o', 'a'])) {
            return false;
        }
        let mut op = ' ';
        for ch in clause[who_len..].chars() {
            match ch {
                '+' | '-' | '=' => op = ch,
                'r' | 'w' if op == '+' || op == '=' => return true,
                _ => {}
            }
        }
        false
    })
}

/// Applied to a whole tree, the mode takes the owner's own read or search
/// permission from directories (`600`, `644`, `u-x`): the tree stops
/// working for its owner.
fn locks_out(mode: &str) -> bool {
    if !mode.is_empty() && mode.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        let d = mode.as_bytes();
        let owner = d.len().checked_sub(3).map_or(0, |i| d[i] - b'0');
        return owner & 5 != 5;
    }
    mode.split(',').any(|clause| {
        let who_len = clause.find(['+', '-', '=']).unwrap_or(clause.len());
        let who = &clause[..who_len];
        if !(who.is_empty() || who.contains(['u', 'a'])) {
            return false;
        }
        let rest = &clause[who_len..];
        (rest.starts_with('-') && rest.contains(['r', 'x', 'X']))
            || (rest.starts_with('=') && !(rest.contains('r') && rest.contains(['x', 'X'])))
    })
}

/// The mode (chmod) or owner (chown/chgrp) operand.
fn first_operand(cmd: &Cmd) -> Option<&Arg> {
    cmd.args
        .iter()
        .find(|a| !(a.text.starts_with('-') && a.text.len() > 1))
}

/// Recursive chmod/chown/chgrp of `/` or a system tree (any mode or
/// owner), and of home or a credentials directory when it opens them to
/// others or gives them to another user.
pub fn tree(cmd: &Cmd, cx: &Cx, _: &dyn GitProbe) -> Result<Option<String>, String> {
    let Some(ops) = recursive_targets(cmd) else {
        return Ok(None);
    };
    let first = first_operand(cmd);
    for a in ops {
        for p in super::rm::deletion_paths(a, cmd.cwd.as_deref()) {
            let Some((scope, what)) = tree_danger(&p, cx) else {
                continue;
            };
            if let Scope::Home = scope {
                let harmful = match cmd.program.as_str() {
                    "chmod" => first.is_some_and(|m| opens_up(&m.text) || locks_out(&m.text)),
                    // chown to yourself (`$USER`, `$(whoami)`) is a fix.
                    "chown" => first.is_some_and(|o| {
                        let user = o.text.split([':', '.']).next().unwrap_or("");
                        o.known
                            && !user.is_empty()
                            && std::env::var("USER").map_or(true, |me| me != user)
                    }),
                    _ => false,
                };
                if !harmful {
                    continue;
                }
            }
            return Ok(Some(format!(
                "{} recursively changes the {} of {what}; ssh, sudo and other programs refuse to work with wrong owners or modes, and the old ones cannot be restored. Change only the files that need it, or ask the user to run it.",
                quote(&cmd.display),
                if cmd.program == "chmod" { "permissions" } else { "ownership" }
            )));
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
