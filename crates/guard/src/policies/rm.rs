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

/// Home subdirectories whose recursive removal loses what cannot be
/// rebuilt: credentials, every application's settings and data, a person's
/// documents, and the usual roots of their code. Deleting one is denied;
/// deleting any other direct child of home is asked about (`rm-home-child`),
/// and anything deeper (`~/.cache/x`, `~/projects/app/build`) is left alone.
pub const HOME_DIRS: &[&str] = &[
    ".ssh",
    ".gnupg",
    ".aws",
    ".azure",
    ".config",
    ".kube",
    ".local",
    ".docker",
    ".password-store",
    ".mozilla",
    ".thunderbird",
    ".claude",
    "Documents",
    "Desktop",
    "Downloads",
    "Pictures",
    "Music",
    "Videos",
    "Movies",
    "Library",
    "Dropbox",
    "projects",
    "Projects",
    "src",
    "code",
    "Code",
    "dev",
    "work",
    "repos",
    "git",
    "workspace",
    "go",
];

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

/// Every path an operand may name: as written (`..` taken lexically) and,
/// when it climbs with `..`, as the kernel resolves it (`..` after a
/// symlink leaves the symlink's target, not its parent).
pub fn deletion_paths(a: &Arg, cwd: Option<&str>) -> Vec<String> {
    // `~alice/x` is alice's home (/home/alice, /Users/alice on macOS).
    if let Some(rest) = a
        .text
        .strip_prefix('~')
        .filter(|r| r.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_'))
    {
        // (The parser marks `~alice` unknown: only that part may be.)
        if !a.glob && !a.text.contains(['$', '`', '(']) {
            let users = if cfg!(target_os = "macos") {
                "/Users"
            } else {
                "/home"
            };
            return resolve(None, &format!("{users}/{rest}"))
                .into_iter()
                .collect();
        }
    }
    let Some(lexical) = deletion_path(a, cwd) else {
        return Vec::new();
    };
    let mut out = vec![lexical];
    if a.known && !a.glob && a.text.contains("..") {
        if let Some(p) = crate::command::physical(cwd, &a.text) {
            if p != out[0] {
                out.push(p);
            }
        }
    }
    out
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
                    "{full}, which holds credentials, settings, documents or code that exist nowhere else"
                ));
            }
            if is_ancestor(p, &full) {
                return Some(format!("{p}, which contains {full}"));
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
    // Another user's home directory (`/home/alice`, `/Users/bob`).
    for users in ["/home", "/Users"] {
        if p.strip_prefix(users)
            .and_then(|r| r.strip_prefix('/'))
            .is_some_and(|r| !r.is_empty() && !r.contains('/'))
        {
            return Some(format!("{p}, a user's home directory"));
        }
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
        for p in deletion_paths(a, cmd.cwd.as_deref()) {
            let Some(what) = danger(&p, cx) else {
                continue;
            };
            return Ok(Some(format!(
                "{} would recursively delete {what}. Delete only what you need with explicit paths inside the project (e.g. `rm -rf ./build`), or ask the user to run it.",
                quote(&cmd.display)
            )));
        }
    }
    Ok(None)
}

/// Where deleting is routine: temporary directories.
fn is_temp(p: &str) -> bool {
    let tmpdir = std::env::var("TMPDIR")
        .ok()
        .filter(|t| t.starts_with('/') && t.len() > 1);
    [
        "/tmp",
        "/var/tmp",
        "/private/tmp",
        "/private/var/tmp",
        "/private/var/folders",
        "/var/folders",
        "/dev/shm",
    ]
    .iter()
    .any(|t| super::is_within(p, t))
        || tmpdir.is_some_and(|t| super::is_within(p, t.trim_end_matches('/')))
}

/// Caches and package directories that tools and people clear routinely.
fn is_routine(p: &str) -> bool {
    [
        "/var/cache",
        "/usr/local/lib/node_modules",
        "/usr/lib/node_modules",
        "/opt/homebrew",
        "/usr/local/Cellar",
        "/usr/local/Caskroom",
        "/var/lib/apt/lists",
    ]
    .iter()
    .any(|t| is_ancestor(t, p))
}

/// Asked, not denied: recursive deletion of a path outside the project,
/// outside the home directory and outside temporary directories
/// (`/opt/app/cache`, `../other-checkout`): an agent rarely means to, and
/// the person decides.
pub fn outside(cmd: &Cmd, cx: &Cx, _: &dyn GitProbe) -> Result<Option<String>, String> {
    let Some(ops) = recursive_operands(cmd) else {
        return Ok(None);
    };
    for a in ops {
        // As written: a symlink's target is for the deny checks.
        for p in deletion_paths(a, cmd.cwd.as_deref()).into_iter().take(1) {
            let in_home = cx.home.as_deref().is_some_and(|h| is_ancestor(h, &p));
            if super::is_within(&p, &cx.project) || in_home || is_temp(&p) || is_routine(&p) {
                continue;
            }
            return Ok(Some(format!(
                "{} would recursively delete {p}, outside the project. Confirm it is meant, or delete inside the project only.",
                quote(&cmd.display)
            )));
        }
    }
    Ok(None)
}

/// Asked, not denied: recursive deletion of a direct child of home that is
/// not one of [`HOME_DIRS`] (`~/old-checkout`, `~/.npm`). It is often
/// meant, and often not; the person decides.
pub fn home_child(cmd: &Cmd, cx: &Cx, _: &dyn GitProbe) -> Result<Option<String>, String> {
    let (Some(ops), Some(h)) = (recursive_operands(cmd), cx.home.as_deref()) else {
        return Ok(None);
    };
    for a in ops {
        // As written: a symlink's target is for the deny checks.
        for p in deletion_paths(a, cmd.cwd.as_deref()).into_iter().take(1) {
            let child = p
                .strip_prefix(h)
                .and_then(|r| r.strip_prefix('/'))
                .is_some_and(|r| !r.is_empty() && !r.contains('/'));
            if child && !is_ancestor(&p, &cx.project) && p != cx.project {
                return Ok(Some(format!(
                    "{} would recursively delete {p}, a directory directly in your home. Confirm it is not needed, or delete something narrower.",
                    quote(&cmd.display)
                )));
            }
        }
    }
    Ok(None)
}

pub fn git_dir(cmd: &Cmd, _: &Cx, _: &dyn GitProbe) -> Result<Option<String>, String> {
    let Some(ops) = recursive_operands(cmd) else {
        return Ok(None);
    };
    for a in ops {
        let Some(p) = deletion_paths(a, cmd.cwd.as_deref()).pop() else {
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
