//! `hookwatch new-hook LANG EVENT PATH`: a hook that reads the event from
//! stdin and answers by the contract, in bash, Python or Rust, with a
//! fixture to test it with (`hookwatch test`).

use anyhow::{bail, Context, Result};
use std::path::Path;

const BASH: &str = r#"#!/usr/bin/env bash
# {EVENT} hook. Claude Code sends the event as JSON on stdin; nothing comes
# in environment variables like $TOOL_INPUT (they do not exist).
# Test it: hookwatch test --fixture {FIXTURE} -- {PATH}
set -euo pipefail
input=$(cat)
# jq reads fields: .tool_name, .tool_input.command, .cwd, .session_id …
command=$(printf '%s' "$input" | jq -r '.tool_input.command // empty')

case "$command" in
  *"rm -rf /"*)
    # To block: exit 2 with the reason on stderr (exit 1 does NOT block),
    # or print the decision as JSON and exit 0:
    printf '%s\n' '{"hookSpecificOutput":{"hookEventName":"{EVENT}","permissionDecision":"deny","permissionDecisionReason":"refusing rm -rf /"}}'
    exit 0
    ;;
esac
# No output and exit 0: no decision; Claude Code goes on as usual.
exit 0
"#;

const PYTHON: &str = r#"#!/usr/bin/env python3
"""{EVENT} hook. Claude Code sends the event as JSON on stdin; nothing comes
in environment variables like TOOL_INPUT (they do not exist).
Test it: hookwatch test --fixture {FIXTURE} -- {PATH}"""
import json
import sys
from typing import Optional


def decide(event: dict) -> Optional[dict]:
    command = (event.get("tool_input") or {}).get("command", "")
    if "rm -rf /" in command:
        return {
            "hookSpecificOutput": {
                "hookEventName": "{EVENT}",
                "permissionDecision": "deny",
                "permissionDecisionReason": "refusing rm -rf /",
            }
        }
    return None  # no decision


def main() -> int:
    event = json.load(sys.stdin)
    answer = decide(event)
    if answer is not None:
        # Exactly one JSON document on stdout; nothing else may be printed.
        json.dump(answer, sys.stdout)
    # Exit 2 (with a reason on stderr) also blocks; exit 1 does NOT.
    return 0


if __name__ == "__main__":
    sys.exit(main())
"#;

const NEUTRAL_BASH: &str = r#"#!/usr/bin/env bash
# {EVENT} hook. Claude Code sends the event as JSON on stdin; nothing comes
# in environment variables like $TOOL_INPUT (they do not exist).
# Test it: hookwatch test --fixture {FIXTURE} -- {PATH}
set -euo pipefail
input=$(cat)
# Read fields with jq, e.g.: session=$(printf '%s' "$input" | jq -r .session_id)
: "$input"
# Exit 0 with no output: nothing changes. What {EVENT} can answer (JSON on
# stdout, or exit 2 where it blocks) is in Claude Code's hooks reference.
exit 0
"#;

const NEUTRAL_PYTHON: &str = r#"#!/usr/bin/env python3
"""{EVENT} hook. Claude Code sends the event as JSON on stdin; nothing comes
in environment variables like TOOL_INPUT (they do not exist).
Test it: hookwatch test --fixture {FIXTURE} -- {PATH}"""
import json
import sys


def main() -> int:
    event = json.load(sys.stdin)
    _ = event.get("session_id")
    # Exit 0 with no output: nothing changes. What {EVENT} can answer (one
    # JSON document on stdout, or exit 2 where it blocks) is in Claude
    # Code's hooks reference.
    return 0


if __name__ == "__main__":
    sys.exit(main())
"#;

const RUST: &str = r#"//! {EVENT} hook. Claude Code sends the event as JSON on stdin.
//! Build: cargo build --release; test it:
//! hookwatch test --fixture {FIXTURE} -- target/release/<name>
//! Cargo.toml: serde_json = "1"
use std::io::Read;

fn decide(event: &serde_json::Value) -> Option<serde_json::Value> {
    let command = event.pointer("/tool_input/command")?.as_str()?;
    command.contains("rm -rf /").then(|| {
        serde_json::json!({"hookSpecificOutput": {
            "hookEventName": "{EVENT}",
            "permissionDecision": "deny",
            "permissionDecisionReason": "refusing rm -rf /"}})
    })
}

fn main() {
    let mut input = String::new();
    let _ = std::io::stdin().read_to_string(&mut input);
    // A hook must never hurt the session: unreadable input means no decision.
    let Ok(event) = serde_json::from_str::<serde_json::Value>(&input) else {
        return;
    };
    if let Some(answer) = decide(&event) {
        println!("{answer}");
    }
    // std::process::exit(2) with a reason on stderr also blocks; 1 does NOT.
}

#[cfg(test)]
mod tests {
    #[test]
    fn denies_rm_rf_root() {
        let e = serde_json::json!({"tool_name": "Bash", "tool_input": {"command": "rm -rf /"}});
        assert!(super::decide(&e).is_some());
        let e = serde_json::json!({"tool_name": "Bash", "tool_input": {"command": "ls"}});
        assert!(super::decide(&e).is_none());
    }
}
"#;

pub fn run(lang: &str, event: &str, path: &Path) -> Result<()> {
    if !hookwatch_event::EVENTS.iter().any(|e| e.name == event) {
        bail!(
            "{event:?} is not a Claude Code event (names are case-sensitive: PreToolUse, Stop, …)"
        );
    }
    let fixture = path.with_extension("cases.toml");
    for p in [path, fixture.as_path()] {
        if p.exists() {
            bail!("{} exists already: choose another path", p.display());
        }
    }
    // The templates answer with PreToolUse's permissionDecision; for other
    // events they read the event and make no decision (edit them).
    if event != "PreToolUse" {
        let template = match lang {
            "bash" | "sh" => NEUTRAL_BASH,
            "python" | "py" => NEUTRAL_PYTHON,
            _ => bail!("the {lang} template is for PreToolUse; use bash or python for {event}"),
        };
        return write(template, lang, event, path, &fixture);
    }
    let template = match lang {
        "bash" | "sh" => BASH,
        "python" | "py" => PYTHON,
        "rust" | "rs" => RUST,
        other => bail!("no template for {other:?}: use bash, python or rust"),
    };
    write(template, lang, event, path, &fixture)
}

fn write(template: &str, lang: &str, event: &str, path: &Path, fixture: &Path) -> Result<()> {
    let text = template
        .replace("{EVENT}", event)
        .replace("{FIXTURE}", &fixture.display().to_string())
        .replace("{PATH}", &path.display().to_string());
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    if lang != "rust" && lang != "rs" {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
    }
    let tool = matches!(
        event,
        "PreToolUse" | "PostToolUse" | "PostToolUseFailure" | "PermissionRequest"
    );
    let deny = event == "PreToolUse";
    let cases = format!(
        "# hookwatch test --fixture {} -- {}\n\n[[case]]\nname = \"a dangerous command\"\npayload = {{ hook_event_name = \"{event}\", session_id = \"s\", cwd = \".\"{} }}\nexpect_outcome = \"{}\"\n\n[[case]]\nname = \"an ordinary command\"\npayload = {{ hook_event_name = \"{event}\", session_id = \"s\", cwd = \".\"{} }}\nexpect_outcome = \"nothing\"\n",
        fixture.display(),
        path.display(),
        if tool { ", tool_name = \"Bash\", tool_use_id = \"t1\", tool_input = { command = \"rm -rf /\" }" } else { "" },
        if deny { "deny" } else { "nothing" },
        if tool { ", tool_name = \"Bash\", tool_use_id = \"t2\", tool_input = { command = \"ls\" }" } else { "" },
    );
    std::fs::write(fixture, cases)?;
    println!(
        "{} written, with test cases in {}",
        path.display(),
        fixture.display()
    );
    println!(
        "Try it: hookwatch test --fixture {} -- {}",
        fixture.display(),
        path.display()
    );
    Ok(())
}
