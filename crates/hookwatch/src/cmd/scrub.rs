//! `hookwatch scrub`: the hook's scrubber on any file, so a person can clean
//! a log before sharing it, or list what it holds without printing it.

use std::io::{Read, Write};
use std::path::Path;

use anyhow::{Context, Result};
use hookwatch_scrub::Finding;
use serde::Serialize;

/// `--report`'s exit code when the input holds a secret.
pub const FOUND: i32 = 3;

/// Where a finding is, for a reader: 1-based line and column (in
/// characters), the rule and how many bytes it covers. Never the value.
#[derive(Serialize)]
struct Located {
    rule: &'static str,
    line: usize,
    column: usize,
    bytes: usize,
}

/// Exit code: 0, or with `report` 3 when something was found, so a script
/// can refuse to share a file that holds secrets (1 stays "error").
pub fn run(file: Option<&Path>, report: bool, json: bool) -> Result<i32> {
    let input = read_input(file)?;
    let (scrubbed, findings) = hookwatch_scrub::scrub_with_report(&input);
    let mut out = std::io::stdout().lock();
    if !report {
        out.write_all(&scrubbed)?;
        out.flush()?;
        return Ok(0);
    }
    let located = locate(&input, &findings);
    if json {
        serde_json::to_writer_pretty(&mut out, &located)?;
        writeln!(out)?;
    } else if located.is_empty() {
        writeln!(out, "no secrets found")?;
    } else {
        for l in &located {
            writeln!(
                out,
                "{}:{}\t{}\t({} bytes)",
                l.line, l.column, l.rule, l.bytes
            )?;
        }
        let name = file.map_or("stdin".into(), |p| p.display().to_string());
        writeln!(
            out,
            "{} secret(s) in {name}; `hookwatch scrub {}` prints it with each replaced by [REDACTED:<rule>]",
            located.len(),
            file.map_or("-".into(), |p| p.display().to_string())
        )?;
    }
    out.flush()?;
    Ok(if located.is_empty() { 0 } else { FOUND })
}

fn read_input(file: Option<&Path>) -> Result<Vec<u8>> {
    match file {
        Some(p) if p != Path::new("-") => {
            std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))
        }
        _ => {
            let mut buf = Vec::new();
            std::io::stdin()
                .lock()
                .read_to_end(&mut buf)
                .context("cannot read stdin")?;
            Ok(buf)
        }
    }
}

/// Line and column of each finding's start; one pass over the input.
fn locate(input: &[u8], findings: &[Finding]) -> Vec<Located> {
    let mut out = Vec::with_capacity(findings.len());
    let (mut line, mut line_start, mut at) = (1, 0, 0);
    for f in findings {
        while at < f.start {
            if input[at] == b'\n' {
                line += 1;
                line_start = at + 1;
            }
            at += 1;
        }
        let column = 1 + String::from_utf8_lossy(&input[line_start..f.start])
            .chars()
            .count();
        out.push(Located {
            rule: f.rule,
            line,
            column,
            bytes: f.end - f.start,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_are_one_based_in_characters() {
        let input = "ok\n  é token=ghp_o2x0wuuMiBUjNg5hLlb43Ju38RdIu2i2mjEw\nend";
        let (_, findings) = hookwatch_scrub::scrub_with_report(input.as_bytes());
        let located = locate(input.as_bytes(), &findings);
        assert_eq!(located.len(), 1);
        assert_eq!((located[0].line, located[0].column), (2, 11));
        assert_eq!(located[0].rule, "github-token");
    }
}
