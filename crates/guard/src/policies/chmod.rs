//! Recursive chmod that makes a tree writable by everyone.

use super::{quote, Cx};
use crate::command::Cmd;
use crate::git::GitProbe;

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
