//! The files Claude Code 2.1.330 reads hooks from, in merge order, and
//! look-alikes people put hooks in that it never reads.

use crate::{Env, Layer};
use std::path::{Path, PathBuf};

pub struct Source {
    pub layer: Layer,
    pub path: PathBuf,
    /// None: the file does not exist (or cannot be read).
    pub text: Option<String>,
    /// False for look-alikes: hooks there never run.
    pub read_by_claude: bool,
}

fn read(path: &Path) -> Option<String> {
    std::fs::read(path)
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

pub fn discover(env: &Env) -> Vec<Source> {
    let mut out = Vec::new();
    let mut add = |layer: Layer, path: PathBuf, read_by_claude: bool| {
        let text = read(&path);
        // Look-alikes are listed only when they exist.
        if read_by_claude || text.is_some() {
            out.push(Source {
                layer,
                path,
                text,
                read_by_claude,
            });
        }
    };
    add(Layer::User, env.claude_dir.join("settings.json"), true);
    if let Some(p) = &env.project {
        add(Layer::Project, p.join(".claude/settings.json"), true);
        add(Layer::Local, p.join(".claude/settings.local.json"), true);
    }
    add(Layer::Managed, env.managed_file.clone(), true);
    if let Some(dir) = env.managed_file.parent() {
        let mut drop_ins: Vec<PathBuf> = std::fs::read_dir(dir.join("managed-settings.d"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        drop_ins.sort();
        for p in drop_ins {
            add(Layer::Managed, p, true);
        }
    }
    for p in plugin_hook_files(env) {
        add(Layer::Plugin, p, true);
    }
    // Where people put hooks that Claude Code never reads.
    add(
        Layer::User,
        env.claude_dir.join("settings.local.json"),
        false,
    );
    add(Layer::User, env.claude_dir.join("hooks.json"), false);
    add(Layer::User, env.home.join(".claude.json"), false);
    if let Some(p) = &env.project {
        add(Layer::Project, p.join(".claude/hooks.json"), false);
        add(Layer::Project, p.join(".claude/hooks/hooks.json"), false);
        add(Layer::Project, p.join(".claude/settings.jsonc"), false);
        add(Layer::Project, p.join("claude_settings.json"), false);
        add(Layer::Project, p.join(".claude.json"), false);
    }
    out
}

/// `hooks/hooks.json` of installed plugins (`<claude_dir>/plugins/**`).
fn plugin_hook_files(env: &Env) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![(env.claude_dir.join("plugins"), 0)];
    while let Some((dir, depth)) = stack.pop() {
        if depth > 5 {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n == "hooks") && p.join("hooks.json").is_file() {
                    out.push(p.join("hooks.json"));
                } else if !p
                    .file_name()
                    .is_some_and(|n| n == "node_modules" || n == ".git")
                {
                    stack.push((p, depth + 1));
                }
            }
        }
    }
    out.sort();
    out
}
