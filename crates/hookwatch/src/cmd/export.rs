//! `hookwatch export`: recorded events as JSON Lines or CSV, streamed from
//! the database one row at a time (memory stays flat on millions of
//! events), to stdout or to a file that appears only once complete.
//!
//! Everything exported comes from the store, which holds only what the hook
//! scrubbed: payloads, the columns taken from them, the project directory,
//! the hook's outcome, and `raw`, the scrubbed bytes of input that was not
//! JSON. `raw` goes out as UTF-8 text (invalid bytes as U+FFFD), as `events
//! --json` and `show` print it: readable in any tool, and it is junk input
//! rather than an event, so its exact bytes matter less than seeing it.

use crate::cli::{ExportFormat, FilterArgs};
use crate::cmd::ingest::open_fresh;
use crate::cmd::query::{event_filter, to_json};
use crate::paths::Paths;
use crate::timefmt::{now_us, parse_time};
use anyhow::{anyhow, Context, Result};
use serde_json::Value;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// The CSV columns: the keys of `to_json`, in its order (a test holds them
/// together).
const COLUMNS: [&str; 26] = [
    "id",
    "time",
    "event",
    "session_id",
    "cwd",
    "project",
    "tool_name",
    "tool_use_id",
    "agent_id",
    "error",
    "is_interrupt",
    "duration_ms",
    "truncated",
    "original_size",
    "hash",
    "parse_error",
    "raw",
    "fingerprint",
    "class",
    "severity",
    "expected",
    "command_head",
    "mcp_server",
    "guard_decision",
    "outcome",
    "payload",
];

pub fn run(
    format: ExportFormat,
    filter: &FilterArgs,
    until: Option<&str>,
    output: Option<&Path>,
) -> Result<()> {
    let mut f = event_filter(filter, None)?;
    f.until_us = until
        .map(|u| parse_time(u, now_us()).map_err(|e| anyhow!("--until: {e}")))
        .transpose()?;
    let store = open_fresh(&Paths::resolve())?;
    match output.filter(|p| p.as_os_str() != "-") {
        None => {
            let mut out = BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
            write_events(&store, &f, format, &mut out)?;
        }
        Some(path) => to_file(path, |out| write_events(&store, &f, format, out))?,
    }
    Ok(())
}

/// Write through a temporary file next to `path`, renamed over it once
/// complete: an interrupted export leaves no half file that looks whole.
fn to_file(path: &Path, write: impl FnOnce(&mut dyn Write) -> Result<u64>) -> Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| anyhow!("--output {}: give a file name", path.display()))?;
    let tmp: PathBuf = path.with_file_name(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let file = std::fs::File::create(&tmp).with_context(|| {
        format!(
            "cannot write {}: is the directory there and writable?",
            tmp.display()
        )
    })?;
    let result = (|| {
        let mut out = BufWriter::with_capacity(64 * 1024, file);
        write(&mut out)?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
            .with_context(|| format!("cannot move the export into place at {}", path.display()))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("export to {} failed; nothing written", path.display()))
}

fn write_events(
    store: &hookwatch_store::Store,
    f: &hookwatch_store::EventFilter,
    format: ExportFormat,
    out: &mut dyn Write,
) -> Result<u64> {
    let mut line = crate::progress::Progress::new();
    if format == ExportFormat::Csv {
        csv_record(out, COLUMNS.iter().map(|c| std::borrow::Cow::Borrowed(*c)))?;
    }
    let mut written = 0u64;
    let n = store.each_event(f, |row| -> Result<()> {
        let v = to_json(&row);
        match format {
            ExportFormat::Jsonl => {
                serde_json::to_writer(&mut *out, &v)?;
                out.write_all(b"\n")?;
            }
            ExportFormat::Csv => csv_record(out, COLUMNS.iter().map(|c| csv_field(&v[*c])))?,
        }
        written += 1;
        line.update(|| format!("export: {written} event(s) written"));
        Ok(())
    })?;
    out.flush()?;
    line.finish();
    Ok(n)
}

/// A CSV field: null is empty, strings as they are, objects and arrays as
/// compact JSON.
fn csv_field(v: &Value) -> std::borrow::Cow<'_, str> {
    match v {
        Value::Null => "".into(),
        Value::String(s) => s.as_str().into(),
        other => other.to_string().into(),
    }
}

/// One RFC 4180 record: fields holding a comma, a quote or a line break are
/// quoted with quotes doubled; CRLF ends the record.
fn csv_record<'a>(
    out: &mut dyn Write,
    fields: impl Iterator<Item = std::borrow::Cow<'a, str>>,
) -> std::io::Result<()> {
    for (i, field) in fields.enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        if field.contains([',', '"', '\r', '\n']) {
            out.write_all(b"\"")?;
            out.write_all(field.replace('"', "\"\"").as_bytes())?;
            out.write_all(b"\"")?;
        } else {
            out.write_all(field.as_bytes())?;
        }
    }
    out.write_all(b"\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(fields: &[&str]) -> String {
        let mut out = Vec::new();
        csv_record(&mut out, fields.iter().map(|f| (*f).into())).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn csv_quotes_only_what_needs_it() {
        assert_eq!(record(&["a", "", "1"]), "a,,1\r\n");
        assert_eq!(
            record(&["x,y", "say \"hi\"", "two\nlines", "cr\r", "ünï 🎉"]),
            "\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\",ünï 🎉\r\n"
        );
    }

    #[test]
    fn the_columns_are_the_json_keys_in_order() {
        let row = hookwatch_store::EventRow {
            id: 1,
            time_us: 0,
            event: "Stop".into(),
            session_id: None,
            cwd: None,
            project: None,
            tool_name: None,
            tool_use_id: None,
            agent_id: None,
            error: None,
            is_interrupt: None,
            duration_ms: None,
            payload: Some("{\"a\":[1,2]}".into()),
            raw: None,
            parse_error: None,
            original_size: 0,
            truncated: false,
            hash: None,
            fingerprint: None,
            class: None,
            severity: None,
            expected: None,
            command_head: None,
            mcp_server: None,
            guard_decision: None,
            outcome: None,
        };
        let v = to_json(&row);
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, COLUMNS);
        assert_eq!(csv_field(&v["payload"]), "{\"a\":[1,2]}");
        assert_eq!(csv_field(&v["truncated"]), "false");
        assert_eq!(csv_field(&v["cwd"]), "");
    }
}
