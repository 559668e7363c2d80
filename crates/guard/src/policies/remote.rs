//! Code fetched from the network and executed without review.

use super::{quote, Cx};
use crate::command::{interpreter_stdin, is_interpreter, Cmd};
use crate::git::GitProbe;

pub fn check(cmd: &Cmd, _: &Cx, _: &dyn GitProbe) -> Result<Option<String>, String> {
    let p = cmd.program.as_str();
    let hit = if is_interpreter(p) {
        let (stdin, script) = interpreter_stdin(p, &cmd.args);
        (stdin && cmd.stdin_download)
            || script.is_some_and(|s| s.download)
            || cmd.runs_download
            // `sh -c "$(curl ..)"`, `python3 -c "$(wget -qO- ..)"`
            || cmd.args.iter().any(|a| a.download)
    } else if matches!(p, "eval" | "source" | ".") {
        cmd.args.iter().any(|a| a.download)
    } else {
        cmd.runs_download
    };
    Ok(hit.then(|| {
        format!(
            "{} runs code downloaded from the network without review. Download it to a file, read it, then run it explicitly—or ask the user to run the installer.",
            quote(&cmd.display)
        )
    }))
}
