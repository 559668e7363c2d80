//! A command hook's command line and the script it runs: what Claude Code's
//! non-interactive shell will find, and what the script does with the
//! contract (stdin, exit codes, output).

use crate::{finding, Finding, Severity};
use std::path::{Path, PathBuf};

/// What a command hook is, for the checks.
pub struct Cmd<'a> {
    pub event: &'a str,
    pub command: &'a str,
    pub is_async: bool,
    /// The plugin root when the hook comes from a plugin's hooks.json.
    pub plugin_root: Option<&'a Path>,
    pub project: Option<&'a Path>,
    pub home: &'a Path,
    /// PATH of Claude Code's non-interactive shell.
    pub path: &'a str,
    /// The PATH of the shell `hookwatch doctor` runs in (nvm, Homebrew …),
    /// when it differs: found only there is a warning, not an error.
    pub shell_path: Option<&'a str>,
}

/// Events where exit 2 (not 1) blocks or keeps Claude working.
const BLOCKING: &[&str] = &[
    "PreToolUse",
    "UserPromptSubmit",
    "UserPromptExpansion",
    "Stop",
    "SubagentStop",
    "PreCompact",
    "ConfigChange",
    "TaskCreated",
    "TaskCompleted",
    "TeammateIdle",
    "PreModelSwitch",
    "Elicitation",
    "ElicitationResult",
];

/// Variables guides tell people to read; Claude Code 2.1.330 sets none of
/// them (everything comes on stdin).
const UNSET_VARS: &[&str] = &[
    "CLAUDE_TOOL_INPUT",
    "CLAUDE_TOOL_NAME",
    "CLAUDE_TOOL_RESULT",
    "CLAUDE_TOOL_OUTPUT",
    "CLAUDE_FILE_PATHS",
    "TOOL_INPUT",
    "TOOL_NAME",
    "TOOL_ERROR",
    "TOOL_RESULT",
    "TOOL_OUTPUT",
    "PROMPT",
    "USER_PROMPT",
    "NOTIFICATION_MESSAGE",
    "PERMISSION_DECISION_REASON",
    "AGENT_ID",
    "AGENT_TYPE",
];

/// Builtins and keywords a shell runs without a PATH lookup.
const BUILTINS: &[&str] = &[
    "echo", "printf", "exit", "true", "false", "test", "[", "cd", "exec", "export", "read", "set",
    "source", ".", "if", "for", "while", "case", "eval", "command", "type", "cat",
];

const INTERPRETERS: &[&str] = &[
    "bash", "sh", "zsh", "dash", "python", "python3", "node", "deno", "bun", "ruby", "perl", "php",
    "uv", "npx", "tsx", "pwsh",
];

pub fn check(c: &Cmd<'_>, file: &Path, line: usize) -> Vec<Finding> {
    let mut out = Vec::new();
    let f = |id, sev, msg: String, fix: &str| finding(id, sev, file, Some(line), msg, fix);
    let cmd = c.command.trim();
    if cmd.is_empty() {
        out.push(f(
            "empty-command",
            Severity::Error,
            format!("{} hook with an empty command", c.event),
            "write the command to run, or remove the hook",
        ));
        return out;
    }
    if c.plugin_root.is_none() && cmd.contains("CLAUDE_PLUGIN_ROOT") {
        out.push(f(
            "plugin-root-outside-plugin",
            Severity::Error,
            format!("`{cmd}` uses ${{CLAUDE_PLUGIN_ROOT}}, which Claude Code sets only for plugin hooks: here the hook fails"),
            "use \"$CLAUDE_PROJECT_DIR\"/… or an absolute path",
        ));
    }
    let mut words = split_words(cmd);
    // `VAR=value cmd …`: the program is the first word after assignments;
    // shell keywords and groupings are not programs.
    while words.first().is_some_and(|(w, q)| {
        !q && w.contains('=') && !w.starts_with('=') && !w.starts_with('/') && !w.starts_with('-')
    }) {
        words.remove(0);
    }
    let Some((first, _)) = words.first().cloned() else {
        return out;
    };
    if matches!(
        first.as_str(),
        "[[" | "(" | "{" | ":" | "time" | "!" | "function" | "then" | "do"
    ) || first.starts_with('(')
    {
        check_text(c, cmd, file, line, &mut out);
        return out;
    }
    for (w, quoted) in &words {
        if !quoted
            && (w.contains("$CLAUDE_PROJECT_DIR")
                || w.contains("${CLAUDE_PROJECT_DIR}")
                || w.starts_with("$HOME/"))
        {
            out.push(f(
                "unquoted-path-variable",
                Severity::Warning,
                format!("`{w}` is not quoted: a project or home path with a space splits it into two words"),
                "quote it: \"$CLAUDE_PROJECT_DIR\"/.claude/hooks/check.sh",
            ));
            break;
        }
    }
    // The program, and the script it runs (`bash x.sh`, or `./x.sh`). After
    // an interpreter, only a word that looks like a file is a script:
    // `npx prettier`, `python3 -m black`, `uv run ruff`, `node -e '…'` run
    // no script of the project's.
    let first_path = expand(&first, c);
    let interpreter = INTERPRETERS.contains(&basename(&first_path));
    let looks_like_file = |w: &str| {
        w.contains('/')
            || [
                ".sh", ".bash", ".py", ".js", ".mjs", ".cjs", ".ts", ".rb", ".pl", ".php",
            ]
            .iter()
            .any(|x| w.ends_with(x))
    };
    let script_word = if interpreter {
        let mut found = None;
        for (w, _) in words.iter().skip(1) {
            if matches!(w.as_str(), "-c" | "-m" | "-e" | "--eval" | "-p" | "--print") {
                break;
            }
            if w.starts_with('-') {
                continue;
            }
            if looks_like_file(w) {
                found = Some(w.clone());
            }
            break;
        }
        found
    } else if first.contains('/') {
        Some(first.clone())
    } else {
        None
    };
    if !first.contains('/') && !first.contains('$') && !BUILTINS.contains(&first.as_str()) {
        match (find_on_path(&first, c.path), c.shell_path.and_then(|p| find_on_path(&first, p))) {
            (Some(_), _) => {}
            (None, Some(found)) => out.push(f(
                "command-on-login-path-only",
                Severity::Warning,
                format!(
                    "`{first}` is found only through your shell's PATH ({}), not a system PATH: a Claude Code started from an IDE or a launcher cannot run this hook (exit 127)",
                    found.display()
                ),
                &format!("use the absolute path: {}", found.display()),
            )),
            (None, None) => out.push(f(
                "command-not-found",
                Severity::Error,
                format!("`{first}` is not on the PATH ({}): the hook fails with exit 127", c.path),
                "install it, or use the program's absolute path",
            )),
        }
    }
    let Some(script) = script_word else {
        check_text(c, cmd, file, line, &mut out);
        return out;
    };
    if script.contains('$')
        && !script.contains("CLAUDE_PROJECT_DIR")
        && !script.contains("CLAUDE_PLUGIN_ROOT")
        && !script.starts_with("$HOME")
    {
        check_text(c, cmd, file, line, &mut out);
        return out;
    }
    let relative = !script.starts_with('/')
        && !script.starts_with('$')
        && !script.starts_with('~')
        && !script.starts_with("${");
    if relative {
        out.push(f(
            "relative-script-path",
            Severity::Warning,
            format!("`{script}` is relative: hooks run in the session's current directory, which moves with every `cd`, so the script is not found from a subdirectory"),
            "start it with \"$CLAUDE_PROJECT_DIR\"/ (quoted)",
        ));
    }
    let path = match relative {
        true => c.project.map(|p| p.join(&script)),
        false => Some(PathBuf::from(expand(&script, c))),
    };
    let Some(path) = path else {
        return out;
    };
    let Ok(bytes) = std::fs::read(&path) else {
        out.push(f(
            "script-missing",
            Severity::Error,
            format!(
                "the script {} does not exist: the hook fails every time",
                path.display()
            ),
            "fix the path, or restore the script",
        ));
        return out;
    };
    if !interpreter {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path)
            .map(|m| m.permissions().mode())
            .unwrap_or(0);
        if mode & 0o111 == 0 {
            out.push(f(
                "script-not-executable",
                Severity::Error,
                format!(
                    "{} is not executable: the hook fails with exit 126",
                    path.display()
                ),
                &format!("chmod +x {}", path.display()),
            ));
        }
    }
    // A compiled program (NUL bytes, no shebang) has no script to read.
    if !bytes.starts_with(b"#!") && bytes[..bytes.len().min(4096)].contains(&0) {
        return out;
    }
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(1 << 20)]).into_owned();
    if text.contains("\r\n") {
        out.push(f(
            "script-crlf",
            Severity::Error,
            format!("{} has Windows line endings: the shebang names `…\\r`, which does not exist, and the shell reads `\\r` into every command", path.display()),
            &format!("convert it: sed -i 's/\\r$//' {}", path.display()),
        ));
    }
    if !interpreter {
        if let Some(first_line) = text.lines().next().filter(|l| l.starts_with("#!")) {
            let mut parts = first_line[2..].split_whitespace();
            let prog = parts.next().unwrap_or("").trim_end_matches('\r');
            let (what, found) = if prog.ends_with("/env") {
                let name = parts
                    .find(|p| !p.starts_with('-'))
                    .unwrap_or("")
                    .trim_end_matches('\r');
                (name.to_string(), find_on_path(name, c.path).is_some())
            } else {
                (prog.to_string(), Path::new(prog).is_file())
            };
            if !found && !what.is_empty() {
                out.push(f(
                    "shebang-interpreter-missing",
                    Severity::Error,
                    format!("{}'s interpreter `{what}` is not installed (or not on the non-interactive PATH)", path.display()),
                    "install it, or point the shebang at one that is (`#!/usr/bin/env python3`)",
                ));
            }
        }
    }
    check_text(c, &text, file, line, &mut out);
    out
}

/// The contract, read from the command line or the script's text.
fn check_text(c: &Cmd<'_>, text: &str, file: &Path, line: usize, out: &mut Vec<Finding>) {
    let f = |id, sev, msg: String, fix: &str| finding(id, sev, file, Some(line), msg, fix);
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    for v in UNSET_VARS {
        let shell = [format!("${v}"), format!("${{{v}}}"), format!("${{{v}:")];
        let other = [
            format!("environ[\"{v}\"]"),
            format!("environ['{v}']"),
            format!("getenv(\"{v}\")"),
            format!("getenv('{v}')"),
            format!("environ.get(\"{v}\""),
            format!("environ.get('{v}'"),
            format!("process.env.{v}"),
            format!("ENV[\"{v}\"]"),
        ];
        let reads = shell.iter().chain(other.iter()).any(|p| {
            code.match_indices(p.as_str()).any(|(i, _)| {
                // `$TOOL_INPUT` but not `$TOOL_INPUT_X` or `$MY_TOOL_INPUT`.
                let after = code[i + p.len()..].chars().next();
                let before = code[..i].chars().last();
                !after.is_some_and(|ch| ch.is_ascii_alphanumeric() || ch == '_')
                    && !before.is_some_and(|ch| ch.is_ascii_alphanumeric() || ch == '_')
            })
        });
        if reads {
            out.push(f(
                "reads-unset-variable",
                Severity::Error,
                format!("reads ${v}, which Claude Code does not set: it is always empty"),
                "read the event from stdin instead: `input=$(cat); tool=$(jq -r .tool_name <<<\"$input\")` (Python: json.load(sys.stdin))",
            ));
            break;
        }
    }
    let has = |pats: &[&str]| pats.iter().any(|p| code.contains(p));
    let blocks = has(&["exit 2", "sys.exit(2)", "process.exit(2)", "exit(2)"]);
    let exits_1 = has(&["exit 1", "sys.exit(1)", "process.exit(1)", "exit(1)"]);
    if BLOCKING.contains(&c.event) && exits_1 && !blocks {
        out.push(f(
            "exit-1-does-not-block",
            Severity::Warning,
            format!("exits 1 but never 2: for {} only exit 2 blocks; exit 1 is a non-blocking error and the action goes ahead", c.event),
            "exit 2 with the reason on stderr to block (or print JSON with the event's decision and exit 0)",
        ));
    }
    let decides = blocks || code.contains("\"block\"") || code.contains("'block'");
    if matches!(c.event, "Stop" | "SubagentStop") && decides && !code.contains("stop_hook_active") {
        out.push(f(
            "stop-hook-loop",
            Severity::Warning,
            format!("this {} hook can keep Claude working but never reads stop_hook_active: it can block every stop until Claude Code's cap (8) ends the turn", c.event),
            "read stop_hook_active from stdin and exit 0 when it is true",
        ));
    }
    if c.is_async
        && [
            "additionalContext",
            "permissionDecision",
            "\"decision\"",
            "'decision'",
            "updatedInput",
        ]
        .iter()
        .any(|k| code.contains(k))
    {
        out.push(f(
            "async-output-ignored",
            Severity::Warning,
            "an async hook prints a decision or context for Claude: decisions of async hooks are ignored and context arrives a turn late".into(),
            "remove \"async\": true so Claude Code waits for the answer",
        ));
    }
    if c.event == "WorktreeCreate"
        && !has(&["echo", "printf", "print(", "console.log", "puts", "cat"])
    {
        out.push(f(
            "worktree-create-prints-nothing",
            Severity::Error,
            "a WorktreeCreate command hook must print the new worktree's absolute path on stdout; this one prints nothing, so creating a worktree fails".into(),
            "print the path: `git worktree add \"$dir\" >&2 && echo \"$dir\"`",
        ));
    }
}

/// Words of a command line, and whether each was (partly) quoted.
pub fn split_words(s: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut in_word = false;
    let mut chars = s.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\'' => {
                in_word = true;
                quoted = true;
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    cur.push(c);
                }
            }
            '"' => {
                in_word = true;
                quoted = true;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => {
                            if let Some(n) = chars.next() {
                                cur.push(n);
                            }
                        }
                        c => cur.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            ';' | '|' | '&' | '\n' => {
                if in_word {
                    out.push((std::mem::take(&mut cur), quoted));
                }
                // Only the first simple command matters here.
                return out;
            }
            c if c.is_whitespace() => {
                if in_word {
                    out.push((std::mem::take(&mut cur), quoted));
                    in_word = false;
                    quoted = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        out.push((cur, quoted));
    }
    out
}

fn basename(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

fn expand(w: &str, c: &Cmd<'_>) -> String {
    let mut s = w.to_string();
    if let Some(rest) = s.strip_prefix("~/") {
        s = format!("{}/{rest}", c.home.display());
    }
    let home = c.home.display().to_string();
    s = s.replace("${HOME}", &home).replace("$HOME", &home);
    if let Some(p) = c.project {
        let p = p.display().to_string();
        s = s
            .replace("${CLAUDE_PROJECT_DIR}", &p)
            .replace("$CLAUDE_PROJECT_DIR", &p);
    }
    if let Some(r) = c.plugin_root {
        let r = r.display().to_string();
        s = s
            .replace("${CLAUDE_PLUGIN_ROOT}", &r)
            .replace("$CLAUDE_PLUGIN_ROOT", &r);
    }
    s
}

pub fn find_on_path(name: &str, path: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    if name.is_empty() {
        return None;
    }
    std::env::split_paths(path).map(|d| d.join(name)).find(|p| {
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    })
}

/// `'…/hookwatch' wrap -- 'ORIGINAL'`: a foreign hook run through
/// hookwatch (`install --wrap`), which times and records it.
pub fn wrapped(exe: &str, original: &str) -> String {
    format!(
        "{} wrap -- '{}'",
        quote_program(exe),
        original.replace('\'', r"'\''")
    )
}

/// The original command of a wrapped one (exactly as it was written).
pub fn unwrapped(command: &str) -> Option<String> {
    let (program, rest) = command.split_once(" wrap -- '")?;
    let program = program.trim().trim_matches(|c| c == '\'' || c == '"');
    if Path::new(program)
        .file_name()
        .is_none_or(|n| n != "hookwatch")
    {
        return None;
    }
    let body = rest.strip_suffix('\'')?;
    // Only our own quoting: every other ' is the '\'' sequence.
    let original = body.replace(r"'\''", "'");
    (wrapped(program, &original).ends_with(&format!("wrap -- '{body}'"))).then_some(original)
}

/// A program path as a shell word: bare when safe, else single-quoted.
pub fn quote_program(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+:@%".contains(&b))
    {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}
