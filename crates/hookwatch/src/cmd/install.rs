//! `hookwatch install` / `uninstall`: merge `hookwatch hook` into a Claude
//! Code settings file, and take exactly that back out.
//!
//! Rules: never disturb entries that are not ours; idempotent; refuse (and
//! touch nothing) when the file is not valid JSON; back the file up before
//! changing it; write atomically (temp file, fsync, rename). An entry is ours
//! when its command runs a program named `hookwatch` with the single argument
//! `hook`, so an install from a moved binary is updated, not duplicated.
//! Settings handlers get no marker field because Claude Code strips unknown
//! handler fields with a warning.

use crate::cli::{Scope, SettingsTarget};
use crate::config_edit::RecoveryEdit;
use crate::paths::Paths;
use anyhow::{anyhow, bail, Context, Result};
use hookwatch_event::{InstallPolicy, EVENTS};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Added(&'static str),
    Updated(&'static str),
    Unchanged(&'static str),
    Removed(String),
}

/// What the file looked like before hookwatch first touched it, so uninstall
/// removes `hooks` / event keys only if install created them.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PreState {
    pub hooks_existed: bool,
    pub events_existed: Vec<String>,
}

pub fn settings_path(scope: Scope, project_dir: Option<&Path>) -> Result<PathBuf> {
    let project = || -> Result<PathBuf> {
        match project_dir {
            Some(p) => Ok(p.to_path_buf()),
            None => std::env::current_dir().context("cannot read the current directory"),
        }
    };
    Ok(match scope {
        Scope::User => match std::env::var_os("CLAUDE_CONFIG_DIR").filter(|v| !v.is_empty()) {
            Some(dir) => PathBuf::from(dir).join("settings.json"),
            None => {
                let home = std::env::var_os("HOME")
                    .filter(|v| !v.is_empty())
                    .ok_or_else(|| anyhow!("HOME is not set; set CLAUDE_CONFIG_DIR or HOME"))?;
                PathBuf::from(home).join(".claude/settings.json")
            }
        },
        Scope::Project => project()?.join(".claude/settings.json"),
        Scope::Local => project()?.join(".claude/settings.local.json"),
    })
}

/// A symlinked settings file (dotfiles repos) is written through to its
/// target: replacing the link with a file would disturb the user's setup.
fn resolve(path: PathBuf) -> PathBuf {
    if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
        if let Ok(target) = std::fs::canonicalize(&path) {
            return target;
        }
    }
    path
}

/// The manifest key: the same file whatever spelling of the project dir.
fn manifest_key(path: &Path) -> String {
    let dir = path.parent().and_then(|d| std::fs::canonicalize(d).ok());
    match (dir, path.file_name()) {
        (Some(d), Some(n)) => d.join(n),
        _ => std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
    }
    .display()
    .to_string()
}

/// The command Claude Code runs: the absolute path of this binary, quoted
/// for the shell it is run by.
pub fn hook_command() -> Result<String> {
    let exe = std::env::current_exe().context("cannot find the path of the hookwatch binary")?;
    let exe = exe
        .to_str()
        .ok_or_else(|| anyhow!("the path of hookwatch is not UTF-8: {}", exe.display()))?;
    Ok(format!("{} hook", shell_quote(exe)))
}

fn shell_quote(s: &str) -> String {
    hookwatch_doctor::command::quote_program(s)
}

pub use hookwatch_doctor::command::{unwrapped, wrapped};

/// Run every foreign command hook through `hookwatch wrap` (install
/// --wrap). Returns how many were wrapped. Pure: no I/O.
pub fn apply_wrap(settings: &mut Value, exe: &str) -> usize {
    let mut n = 0;
    let Some(hooks) = settings.get_mut("hooks").and_then(Value::as_object_mut) else {
        return 0;
    };
    for groups in hooks.values_mut() {
        for g in groups.as_array_mut().into_iter().flatten() {
            for h in g
                .get_mut("hooks")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                if h.get("type").and_then(Value::as_str) != Some("command") {
                    continue;
                }
                // Exec form (`args`, no shell) and PowerShell hooks would not
                // survive `bash -c`: left as they are.
                if h.get("args").is_some()
                    || h.get("shell")
                        .and_then(Value::as_str)
                        .is_some_and(|s| s != "bash")
                {
                    continue;
                }
                let Some(cmd) = h.get("command").and_then(Value::as_str) else {
                    continue;
                };
                if is_ours(cmd) || unwrapped(cmd).is_some() || cmd.trim().is_empty() {
                    continue;
                }
                h["command"] = Value::String(wrapped(exe, cmd));
                n += 1;
            }
        }
    }
    n
}

/// Give every wrapped hook its original command back. Pure: no I/O.
pub fn apply_unwrap(settings: &mut Value) -> usize {
    let mut n = 0;
    let Some(hooks) = settings.get_mut("hooks").and_then(Value::as_object_mut) else {
        return 0;
    };
    for groups in hooks.values_mut() {
        for g in groups.as_array_mut().into_iter().flatten() {
            for h in g
                .get_mut("hooks")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                if let Some(orig) = h.get("command").and_then(Value::as_str).and_then(unwrapped) {
                    h["command"] = Value::String(orig);
                    n += 1;
                }
            }
        }
    }
    n
}

/// Whether a settings command string is a hookwatch recorder.
pub fn is_ours(command: &str) -> bool {
    let Some(program) = command.trim().strip_suffix(" hook") else {
        return false;
    };
    let program = program.trim().trim_matches(|c| c == '\'' || c == '"');
    Path::new(program)
        .file_name()
        .is_some_and(|n| n == "hookwatch")
}

fn handler(command: &str, timeout: u32, asynchronous: bool) -> Value {
    let mut h = json!({ "type": "command", "command": command, "timeout": timeout });
    if asynchronous {
        h["async"] = Value::Bool(true);
    }
    h
}

fn object_at<'a>(v: &'a mut Value, key: &str, file: &Path) -> Result<&'a mut Map<String, Value>> {
    let obj = v
        .as_object_mut()
        .ok_or_else(|| anyhow!("{} is not a JSON object", file.display()))?;
    obj.entry(key).or_insert_with(|| Value::Object(Map::new()));
    obj[key].as_object_mut().ok_or_else(|| {
        anyhow!(
            "\"{key}\" in {} is not an object; fix it by hand first",
            file.display()
        )
    })
}

/// Merge our entries into `settings`. Pure: no I/O.
pub fn apply_install(
    settings: &mut Value,
    command: &str,
    timeout: u32,
    asynchronous: bool,
    file: &Path,
) -> Result<Vec<Change>> {
    let hooks = object_at(settings, "hooks", file)?;
    let mut changes = Vec::new();
    for info in EVENTS {
        let InstallPolicy::Record { may_async } = info.policy else {
            continue;
        };
        let want = handler(command, timeout, asynchronous && may_async);
        let groups = hooks
            .entry(info.name)
            .or_insert_with(|| Value::Array(Vec::new()));
        let groups = groups.as_array_mut().ok_or_else(|| {
            anyhow!(
                "hooks.{} in {} is not an array; fix it by hand first",
                info.name,
                file.display()
            )
        })?;
        let ours = groups
            .iter_mut()
            .filter_map(|g| g.get_mut("hooks")?.as_array_mut())
            .flatten()
            .find(|h| {
                h.get("command")
                    .and_then(Value::as_str)
                    .is_some_and(is_ours)
            });
        match ours {
            Some(h) if *h == want => changes.push(Change::Unchanged(info.name)),
            Some(h) => {
                *h = want;
                changes.push(Change::Updated(info.name));
            }
            None => {
                groups.push(json!({ "hooks": [want] }));
                changes.push(Change::Added(info.name));
            }
        }
    }
    Ok(changes)
}

/// Remove every hookwatch handler; drop groups, event keys and the `hooks`
/// object that only existed for them. Pure: no I/O.
pub fn apply_uninstall(settings: &mut Value, pre: Option<&PreState>) -> Vec<Change> {
    let mut changes = Vec::new();
    let Some(hooks) = settings.get_mut("hooks").and_then(Value::as_object_mut) else {
        return changes;
    };
    let mut empty_events = Vec::new();
    for (event, groups) in hooks.iter_mut() {
        // Only where install puts entries: a recorder someone added by hand
        // elsewhere is theirs.
        let recorded = EVENTS
            .iter()
            .any(|e| e.name == event && e.policy != InstallPolicy::Skip);
        let Some(groups) = groups.as_array_mut().filter(|_| recorded) else {
            continue;
        };
        let before = groups.len();
        let mut removed = false;
        groups.retain_mut(|g| {
            let Some(hs) = g.get_mut("hooks").and_then(Value::as_array_mut) else {
                return true;
            };
            let n = hs.len();
            hs.retain(|h| {
                !h.get("command")
                    .and_then(Value::as_str)
                    .is_some_and(is_ours)
            });
            if hs.len() < n {
                removed = true;
                // A group that held only our handler goes with it.
                return !hs.is_empty();
            }
            true
        });
        if removed {
            changes.push(Change::Removed(event.clone()));
            let created_by_us = pre.is_none_or(|p| !p.events_existed.contains(event));
            if groups.is_empty() && before > 0 && created_by_us {
                empty_events.push(event.clone());
            }
        }
    }
    for e in empty_events {
        hooks.shift_remove(&e);
    }
    if hooks.is_empty() && !changes.is_empty() && pre.is_none_or(|p| !p.hooks_existed) {
        settings.as_object_mut().map(|o| o.shift_remove("hooks"));
    }
    changes
}

/// Read a settings file: (original text, parsed value). A missing or empty
/// file is `{}`; anything that is not a JSON object is refused.
fn read_settings(path: &Path) -> Result<(Option<String>, Value)> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((None, json!({}))),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    if text.trim().is_empty() {
        return Ok((Some(text), json!({})));
    }
    let v: Value = serde_json::from_str(&text).map_err(|e| {
        anyhow!(
            "{} is not valid JSON (line {}, column {}): {e}. Fix it first; hookwatch changed nothing",
            path.display(),
            e.line(),
            e.column()
        )
    })?;
    if !v.is_object() {
        bail!(
            "{} is not a JSON object; hookwatch changed nothing",
            path.display()
        );
    }
    Ok((Some(text), v))
}

fn render(v: &Value, original: Option<&str>) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    if original.is_none_or(|o| o.ends_with('\n')) {
        s.push('\n');
    }
    s
}

fn backup_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".hookwatch-backup");
    path.with_file_name(name)
}

/// Temp file in the same directory, fsync, rename: a crash leaves either the
/// old or the new file, never half of one. Keeps the file's permissions.
/// `like`: the file whose permissions the result gets (the settings file, so
/// a backup of a 0600 file holding keys is not world-readable). The temp file
/// starts private (umask 077, set in main).
pub(crate) fn write_atomic(path: &Path, text: &str, like: &Path) -> Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let tmp = dir.join(format!(
        ".{}.hookwatch-tmp-{}",
        path.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    let written = (|| -> Result<()> {
        let mut f = std::fs::File::create(&tmp)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        if let Ok(meta) = std::fs::metadata(like) {
            let _ = f.set_permissions(meta.permissions());
        }
        f.write_all(text.as_bytes())
            .and_then(|_| f.sync_all())
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("cannot replace {}", path.display()))
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

pub(crate) fn diff(path: &Path, old: &str, new: &str) -> String {
    let name = path.display().to_string();
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&name, &name)
        .to_string()
}

type Manifest = BTreeMap<String, PreState>;

fn read_manifest(paths: &Paths) -> Manifest {
    std::fs::read(paths.install_manifest())
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

fn write_manifest(paths: &Paths, m: &Manifest) -> Result<()> {
    std::fs::create_dir_all(&paths.data_dir)?;
    let file = paths.install_manifest();
    write_atomic(&file, &serde_json::to_string_pretty(m)?, &file)
}

/// `install --recover`'s half: the config.toml edit that turns on resuming
/// after retryable StopFailures, for every project (user scope) or for this
/// project. Checked, not written: `install` writes it together with the
/// settings file, or neither.
fn plan_recovery(target: &SettingsTarget, paths: &Paths) -> Result<Option<FileWrite>> {
    let project = match target.scope {
        Scope::User => None,
        _ => Some(
            target
                .project_dir
                .clone()
                .map(Ok)
                .unwrap_or_else(std::env::current_dir)?
                .canonicalize()
                .context("cannot resolve the project directory")?
                .display()
                .to_string(),
        ),
    };
    let file = &paths.config_file;
    let old = match std::fs::read_to_string(file) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", file.display())),
    };
    let edit =
        crate::config_edit::enable_recovery(old.as_deref().unwrap_or(""), project.as_deref())
            .map_err(|why| anyhow!("{} {why}; hookwatch changed nothing", file.display()))?;
    let (text, change) = match edit {
        RecoveryEdit::AlreadyOn(why) => {
            println!("{}: {why}", file.display());
            return Ok(None);
        }
        RecoveryEdit::Edit { text, change } => (text, change),
    };
    // The edit must load as hookwatch's own config and really turn
    // recovery on: a file that fails here is refused, not written.
    let cfg: crate::config::Config = toml::from_str(&text).map_err(|e| {
        anyhow!(
            "{} would not load after adding recovery ({}); fix the file first, hookwatch changed nothing",
            file.display(),
            e.message().trim()
        )
    })?;
    anyhow::ensure!(
        cfg.recover.enabled_for(project.as_deref()),
        "{}: recovery would still be off after the edit; hookwatch changed nothing",
        file.display()
    );
    let done = format!(
        "{}: recovery on{} ({change}): sessions that stop on a rate limit, overload or server error are resumed (`hookwatch recover list`)",
        file.display(),
        project
            .as_deref()
            .map(|p| format!(" for {p}"))
            .unwrap_or_else(|| " for every project".into())
    );
    Ok(Some(FileWrite {
        path: file.clone(),
        like: file.clone(),
        old,
        new: text,
        done,
    }))
}

/// One file `install` writes: its new text, and its old text to put back
/// if a later write fails (`None`: the file did not exist).
struct FileWrite {
    path: PathBuf,
    /// The file whose permissions the result gets.
    like: PathBuf,
    old: Option<String>,
    new: String,
    /// Printed once every write has succeeded.
    done: String,
}

/// Write every file, in order, or none: when one write fails, the ones
/// already written get their old text back (or are removed again).
fn commit(writes: &[FileWrite]) -> Result<()> {
    for (i, w) in writes.iter().enumerate() {
        if let Err(e) = write_atomic(&w.path, &w.new, &w.like) {
            let mut unrestored = Vec::new();
            for done in writes[..i].iter().rev() {
                let back = match &done.old {
                    Some(old) => write_atomic(&done.path, old, &done.like),
                    None => std::fs::remove_file(&done.path).map_err(Into::into),
                };
                if back.is_err() {
                    unrestored.push(done.path.display().to_string());
                }
            }
            if unrestored.is_empty() {
                return Err(
                    e.context("nothing was changed (hookwatch put back the files it had written)")
                );
            }
            return Err(e.context(format!(
                "hookwatch could not put back {}; compare them with their .hookwatch-backup files",
                unrestored.join(", ")
            )));
        }
    }
    for w in writes.iter().filter(|w| !w.done.is_empty()) {
        println!("{}", w.done);
    }
    Ok(())
}

/// `hookwatch install [--recover]`: every file it changes is planned and
/// checked first, then written together (see `commit`).
pub fn install(
    target: &SettingsTarget,
    asynchronous: bool,
    timeout: u32,
    recover: bool,
    wrap: bool,
) -> Result<()> {
    let SettingsTarget {
        scope,
        project_dir,
        dry_run,
    } = target.clone();
    let paths = Paths::resolve();
    let path = resolve(settings_path(scope, project_dir.as_deref())?);
    let (original, mut settings) = read_settings(&path)?;
    let pre = PreState {
        hooks_existed: settings.get("hooks").is_some(),
        events_existed: settings
            .get("hooks")
            .and_then(Value::as_object)
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default(),
    };
    let changes = apply_install(
        &mut settings,
        &hook_command()?,
        timeout.max(1),
        asynchronous,
        &path,
    )?;
    let recovery = if recover {
        plan_recovery(target, &paths)?
    } else {
        None
    };
    let mut changes = changes;
    if wrap {
        let exe =
            std::env::current_exe().context("cannot find the path of the hookwatch binary")?;
        let n = apply_wrap(&mut settings, &exe.to_string_lossy());
        println!(
            "{}: {n} hook(s) of yours now run through `hookwatch wrap` (timed and recorded, output and exit code unchanged; `hookwatch health` shows them, `hookwatch uninstall` restores the commands)",
            path.display()
        );
        if n > 0 {
            changes.push(Change::Updated("wrap"));
        }
    }
    let new_text = render(&settings, original.as_deref());
    let old_text = original.clone().unwrap_or_default();
    let added = changes
        .iter()
        .filter(|c| matches!(c, Change::Added(_)))
        .count();
    let updated = changes
        .iter()
        .filter(|c| matches!(c, Change::Updated(_)))
        .count();
    let unchanged = changes.len() - added - updated;
    if dry_run {
        if added + updated == 0 {
            println!(
                "{}: already installed for all {} recorded events; nothing to change",
                path.display(),
                changes.len()
            );
        } else {
            print!("{}", diff(&path, &old_text, &new_text));
        }
        print_skipped();
        if let Some(r) = &recovery {
            print!("{}", diff(&r.path, r.old.as_deref().unwrap_or(""), &r.new));
        }
        println!("(dry run: nothing written)");
        return Ok(());
    }
    let mut writes: Vec<FileWrite> = recovery.into_iter().collect();
    if added + updated == 0 {
        println!(
            "{}: already installed for all {unchanged} recorded events",
            path.display()
        );
    } else {
        let key = manifest_key(&path);
        let mut manifest = read_manifest(&paths);
        let manifest_file = paths.install_manifest();
        // The backup holds the file as it was before hookwatch first touched
        // it; a later install (a moved binary) must not overwrite it.
        let first_install = !manifest.contains_key(&key);
        manifest.entry(key).or_insert(pre);
        std::fs::create_dir_all(&paths.data_dir)
            .with_context(|| format!("cannot create {}", paths.data_dir.display()))?;
        writes.push(FileWrite {
            old: std::fs::read_to_string(&manifest_file).ok(),
            like: manifest_file.clone(),
            path: manifest_file,
            new: serde_json::to_string_pretty(&manifest)?,
            done: String::new(),
        });
        if let (Some(orig), true) = (&original, first_install) {
            let backup = backup_path(&path);
            writes.push(FileWrite {
                old: std::fs::read_to_string(&backup).ok(),
                path: backup,
                like: path.clone(),
                new: orig.clone(),
                done: String::new(),
            });
        }
        writes.push(FileWrite {
            path: path.clone(),
            like: path.clone(),
            old: original.clone(),
            new: new_text,
            done: format!(
                "{}: recorder installed ({added} added, {updated} updated, {unchanged} already there){}",
                path.display(),
                if original.is_some() {
                    format!("; backup at {}", backup_path(&path).display())
                } else {
                    String::new()
                }
            ),
        });
    }
    commit(&writes)?;
    if added + updated > 0 {
        print_skipped();
    }
    Ok(())
}

fn print_skipped() {
    for e in EVENTS.iter().filter(|e| e.policy == InstallPolicy::Skip) {
        println!("  not recorded: {} ({})", e.name, e.why);
    }
}

pub fn uninstall(target: &SettingsTarget) -> Result<()> {
    let SettingsTarget {
        scope,
        project_dir,
        dry_run,
    } = target.clone();
    let path = resolve(settings_path(scope, project_dir.as_deref())?);
    let (original, mut settings) = read_settings(&path)?;
    let Some(original) = original else {
        println!("{}: does not exist; nothing to remove", path.display());
        return Ok(());
    };
    let paths = Paths::resolve();
    let key = manifest_key(&path);
    let mut manifest = read_manifest(&paths);
    let unwrapped_n = apply_unwrap(&mut settings);
    let mut changes = apply_uninstall(&mut settings, manifest.get(&key));
    if unwrapped_n > 0 {
        println!(
            "{}: {unwrapped_n} wrapped hook(s) get their own command back",
            path.display()
        );
        changes.push(Change::Removed("wrap".into()));
    }
    if changes.is_empty() {
        println!(
            "{}: hookwatch is not installed there; nothing to remove",
            path.display()
        );
        return Ok(());
    }
    // If the result is the file as it was before install, put back its exact
    // bytes (formatting, key order, number spelling) from the backup.
    let backup = std::fs::read_to_string(backup_path(&path)).ok();
    let new_text = match &backup {
        Some(b) if serde_json::from_str::<Value>(b).ok().as_ref() == Some(&settings) => b.clone(),
        _ => render(&settings, Some(&original)),
    };
    if dry_run {
        print!("{}", diff(&path, &original, &new_text));
        println!("(dry run: nothing written)");
        return Ok(());
    }
    write_atomic(&backup_path(&path), &original, &path)?;
    write_atomic(&path, &new_text, &path)?;
    manifest.remove(&key);
    write_manifest(&paths, &manifest)?;
    println!(
        "{}: hookwatch removed from {} events; backup at {}",
        path.display(),
        changes.len(),
        backup_path(&path).display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CMD: &str = "/opt/bin/hookwatch hook";

    fn recorded() -> usize {
        EVENTS
            .iter()
            .filter(|e| e.policy != InstallPolicy::Skip)
            .count()
    }

    #[test]
    fn ours_is_recognised_whatever_the_path_or_quoting() {
        assert!(is_ours("/usr/local/bin/hookwatch hook"));
        assert!(is_ours("'/home/a b/hookwatch' hook"));
        assert!(is_ours("hookwatch hook"));
        assert!(!is_ours("hookwatch hooks"));
        assert!(!is_ours("/bin/myhookwatch hook"));
        assert!(!is_ours("jq . >> /tmp/log"));
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("/a/b"), "/a/b");
        assert_eq!(shell_quote("/a b/it's"), r"'/a b/it'\''s'");
    }

    #[test]
    fn install_into_empty_settings_adds_every_recorded_event_and_skips_the_unsafe_ones() {
        let mut v = json!({});
        let ch = apply_install(&mut v, CMD, 5, false, Path::new("s.json")).unwrap();
        assert_eq!(ch.len(), recorded());
        assert!(v["hooks"].get("WorktreeCreate").is_none());
        assert!(v["hooks"].get("MessageDisplay").is_none());
        assert_eq!(
            v["hooks"]["PostToolUseFailure"][0]["hooks"][0],
            json!({"type":"command","command":CMD,"timeout":5})
        );
    }

    #[test]
    fn install_keeps_foreign_hooks_and_is_idempotent() {
        let mut v = json!({"model":"x","hooks":{"PreToolUse":[{"matcher":"Bash","hooks":[{"type":"command","command":"./guard.sh"}]}]}});
        apply_install(&mut v, CMD, 5, false, Path::new("s.json")).unwrap();
        let once = v.clone();
        let ch = apply_install(&mut v, CMD, 5, false, Path::new("s.json")).unwrap();
        assert!(ch.iter().all(|c| matches!(c, Change::Unchanged(_))));
        assert_eq!(v, once);
        assert_eq!(
            v["hooks"]["PreToolUse"][0]["hooks"][0]["command"],
            "./guard.sh"
        );
        assert_eq!(v["hooks"]["PreToolUse"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn a_moved_binary_updates_the_entry_instead_of_duplicating_it() {
        let mut v = json!({});
        apply_install(&mut v, CMD, 5, false, Path::new("s")).unwrap();
        let ch = apply_install(&mut v, "/new/hookwatch hook", 5, false, Path::new("s")).unwrap();
        assert!(ch.iter().all(|c| matches!(c, Change::Updated(_))));
        assert_eq!(v["hooks"]["Stop"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn async_only_where_allowed() {
        let mut v = json!({});
        apply_install(&mut v, CMD, 5, true, Path::new("s")).unwrap();
        assert_eq!(v["hooks"]["PostToolUse"][0]["hooks"][0]["async"], true);
        assert!(v["hooks"]["PreToolUse"][0]["hooks"][0]
            .get("async")
            .is_none());
        assert!(v["hooks"]["StopFailure"][0]["hooks"][0]
            .get("async")
            .is_none());
    }

    #[test]
    fn uninstall_restores_exactly_what_was_there() {
        let orig = json!({"hooks":{"Stop":[{"hooks":[{"type":"command","command":"say done"}]}]},"env":{"A":"1"}});
        let mut v = orig.clone();
        let pre = PreState {
            hooks_existed: true,
            events_existed: vec!["Stop".into()],
        };
        apply_install(&mut v, CMD, 5, false, Path::new("s")).unwrap();
        apply_uninstall(&mut v, Some(&pre));
        assert_eq!(v, orig);
        let mut w = json!({"theme":"dark"});
        apply_install(&mut w, CMD, 5, false, Path::new("s")).unwrap();
        apply_uninstall(&mut w, Some(&PreState::default()));
        assert_eq!(w, json!({"theme":"dark"}));
    }

    #[test]
    fn a_group_shared_with_a_foreign_handler_keeps_the_foreign_handler() {
        let mut v = json!({"hooks":{"Stop":[{"hooks":[{"type":"command","command":"say done"},{"type":"command","command":CMD}]}]}});
        apply_uninstall(&mut v, None);
        assert_eq!(
            v,
            json!({"hooks":{"Stop":[{"hooks":[{"type":"command","command":"say done"}]}]}})
        );
    }

    #[test]
    fn hooks_of_the_wrong_type_are_refused() {
        let mut v = json!({"hooks": []});
        assert!(apply_install(&mut v, CMD, 5, false, Path::new("s")).is_err());
        let mut v = json!({"hooks": {"Stop": {}}});
        assert!(apply_install(&mut v, CMD, 5, false, Path::new("s")).is_err());
    }
}
