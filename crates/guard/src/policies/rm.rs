//! Recursive deletion of roots: `/`, home, the project, system directories,
//! protected paths, and `.git`.

use super::{is_ancestor, quote, Cx};
use crate::command::{resolve, Arg, Cmd};
use crate::git::GitProbe;

/// Top-level system directories whose recursive removal breaks the machine.
const SYSTEM_DIRS: &[&str] = &[
    "/bin",
    "/boot",
    "/dev",
    "/etc",
    "/home",
    "/lib",
    "/lib32",
    "/lib64",
    "/opt",
    "/proc",
    "/root",
    "/sbin",
    "/srv",
    "/sys",
    "/usr",
    "/usr/bin",
    "/usr/lib",
    "/usr/local",
    "/usr/share",
    "/var",
    "/var/lib",
    "/var/log",
    "/mnt",
    "/media",
    "/snap",
    "/Applications",
    "/Library",
    "/System",
    "/Users",
    "/Volumes",
    "/private",
    "/nix",
    "/nix/store",
];

/// Home subdirectories holding credentials or every application's state.
const HOME_DIRS: &[&str] = &[".ssh", ".gnupg", ".aws", ".config", ".kube", ".local"];

/// The operands of a recursive `rm`, or None if it is not one.
pub fn recursive_operands(cmd: &Cmd) -> Option<Vec<&Arg>> {
    if cmd.program != "rm" {
        return None;
    }
    let mut rec = false;
    let mut ops = Vec::new();
    let mut end_of_opts = false;
    // GNU rm permutes: options may follow operands (`rm dir -rf`).
    for a in &cmd.args {
        let t = a.text.as_str();
        if end_of_opts || !a.known && !t.starts_with('-') {
            ops.push(a);
        } else if t == "--" {
            end_of_opts = true;
        } else if t == "--recursive" {
            rec = true;
        } else if t.starts_with("--") {
        } else if t.len() > 1 && t.starts_with('-') {
            if t.contains('r') || t.contains('R') {
                rec = true;
            }
        } else {
            ops.push(a);
        }
    }
    rec.then_some(ops)
}

fn has_glob(c: &str) -> bool {
    c.contains(['*', '?', '['])
}

/// A glob component that matches (nearly) every entry: `*`, `.*`, `.??*`, `.[!.]*`.
fn is_catch_all(c: &str) -> bool {
    let c = c.strip_prefix('.').unwrap_or(c);
    let mut rest = String::new();
    let mut in_class = false;
    for ch in c.chars() {
        match ch {
            '[' => in_class = true,
            ']' if in_class => in_class = false,
            _ if in_class => {}
            _ => rest.push(ch),
        }
    }
    rest.contains('*') && rest.chars().all(|ch| ch == '*' || ch == '?')
}

/// The directory an operand effectively empties or removes. A trailing
/// catch-all glob (`/*`, `~/.*`) counts as the directory itself.
pub fn deletion_path(a: &Arg, cwd: Option<&str>) -> Option<String> {
    if !a.known || a.text.is_empty() {
        return None;
    }
    if !a.glob {
        return resolve(cwd, &a.text);
    }
    let trimmed = a.text.trim_end_matches('/');
    let comps: Vec<&str> = trimmed.split('/').collect();
    let first = comps.iter().position(|c| has_glob(c))?;
    if !comps[first..].iter().all(|c| is_catch_all(c)) {
        return None;
    }
    let prefix = comps[..first].join("/");
    let dir = if prefix.is_empty() {
        if trimmed.starts_with('/') {
            "/".to_string()
        } else {
            ".".to_string()
        }
    } else {
        prefix
    };
    resolve(cwd, &dir)
}

/// What deleting `p` recursively would destroy, if it is a protected root.
pub fn danger(p: &str, cx: &Cx) -> Option<String> {
    if p == "/" {
        return Some("the entire filesystem (/)".into());
    }
    if let Some(h) = cx.home.as_deref() {
        if p == h {
            return Some(format!("your home directory ({h})"));
        }
        if is_ancestor(p, h) {
            return Some(format!("{p}, which contains your home directory"));
        }
        for d in HOME_DIRS {
            let full = format!("{h}/{d}");
            if p == full {
                return Some(format!(
                    "{full}, which holds credentials or every application's settings"
                ));
            }
        }
    }
    if p == cx.project {
        return Some(format!("the project root ({p})"));
    }
    if is_ancestor(p, &cx.project) {
        return Some(format!("{p}, which contains the project"));
    }
    if SYSTEM_DIRS.contains(&p) {
        return Some(format!("the system directory {p}"));
    }
    cx.protected
        .hit_by_delete(p)
        .map(|e| format!("{p}, covered by protected path {e}"))
}

pub fn root(cmd: &Cmd, cx: &Cx, _: &dyn GitProbe) -> Result<Option<String>, String> {
    let Some(ops) = recursive_operands(cmd) else {
        return Ok(None);
    };
    for a in ops {
        let Some(p) = deletion_path(a, cmd.cwd.as_deref()) else {
            continue;
        };
        if let Some(what) = danger(&p, cx) {
            return Ok(Some(format!(
                "{} would recursively delete {what}. Delete only what you need with explicit paths inside the project (e.g. `rm -rf ./build`), or ask the user to run it.",
                quote(&cmd.display)
            )));
        }
    }
    Ok(None)
}

pub fn git_dir(cmd: &Cmd, _: &Cx, _: &dyn GitProbe) -> Result<Option<String>, String> {
    let Some(ops) = recursive_operands(cmd) else {
        return Ok(None);
    };
    for a in ops {
        let Some(p) = deletion_path(a, cmd.cwd.as_deref()) else {
            continue;
        };
        if p.rsplit('/').next() == Some(".git") {
            return Ok(Some(format!(
                "{} would delete the git repository at {p}: all local history, branches and stashes. Use git commands to undo changes; if a fresh repository is really wanted, ask the user to do it.",
                quote(&cmd.display)
            )));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glob(t: &str) -> Arg {
        Arg {
            text: t.into(),
            known: true,
            glob: true,
            download: false,
        }
    }

    #[test]
    fn catch_all_globs() {
        for c in ["*", "**", ".*", ".??*", ".[!.]*", "?*"] {
            assert!(is_catch_all(c), "{c}");
        }
        for c in ["*.log", "build*", "a", "[ab]"] {
            assert!(!is_catch_all(c), "{c}");
        }
    }

    #[test]
    fn deletion_paths() {
        let cwd = Some("/p/q");
        assert_eq!(deletion_path(&glob("/*"), cwd).as_deref(), Some("/"));
        assert_eq!(deletion_path(&glob("*"), cwd).as_deref(), Some("/p/q"));
        assert_eq!(deletion_path(&glob("../.*"), cwd).as_deref(), Some("/p"));
        assert_eq!(deletion_path(&glob("/*/*"), cwd).as_deref(), Some("/"));
        assert_eq!(deletion_path(&glob("/tmp/*.log"), cwd), None);
        assert_eq!(
            deletion_path(&Arg::lit("//x/./.."), cwd).as_deref(),
            Some("/")
        );
        assert_eq!(deletion_path(&Arg::lit(""), cwd), None);
        assert_eq!(deletion_path(&Arg::lit("x"), None), None);
    }
}
