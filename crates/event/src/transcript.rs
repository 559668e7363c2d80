//! The one thing hookwatch reads from Claude Code's transcript: API errors.
//!
//! Why: StopFailure fires just before a `-p` run exits, and Claude Code then
//! SIGTERMs hooks still running. hookwatch ignores SIGTERM, but a signal that
//! lands before the process reaches `main` (a loaded machine) still kills it,
//! and the one event that matters most in unattended runs is lost. The
//! transcript holds the same failure as an assistant entry with
//! `"isApiErrorMessage": true` and `"error": "<StopFailure error>"`, and the
//! SessionEnd hook, which Claude Code awaits, can read it.

use serde_json::Value;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// The transcript entry's uuid: a stable id for deduplication.
    pub uuid: String,
    pub session_id: Option<String>,
    /// When the error was written, µs since the Unix epoch.
    pub time_us: i64,
    /// Same values as StopFailure's `error` (`rate_limit`, ...).
    pub error: String,
    /// The rendered error text (StopFailure's `last_assistant_message`).
    pub text: Option<String>,
}

/// API-error entries in the last `max_bytes` of the transcript at `path`.
/// Bounded work: one seek and one read; a missing file gives nothing.
pub fn api_errors(path: &Path, max_bytes: u64) -> Vec<ApiError> {
    let Ok(mut f) = std::fs::File::open(path) else {
        return Vec::new();
    };
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let start = len.saturating_sub(max_bytes);
    if f.seek(SeekFrom::Start(start)).is_err() {
        return Vec::new();
    }
    let mut buf = Vec::new();
    if f.take(max_bytes).read_to_end(&mut buf).is_err() {
        return Vec::new();
    }
    let mut lines = buf.split(|&b| b == b'\n');
    if start > 0 {
        lines.next(); // partial first line
    }
    lines
        .filter(|l| memfind(l, b"isApiErrorMessage"))
        .filter_map(|l| serde_json::from_slice::<Value>(l).ok())
        .filter(|v| v["type"] == "assistant" && v["isApiErrorMessage"] == true)
        .filter_map(|v| {
            Some(ApiError {
                uuid: v["uuid"].as_str()?.to_owned(),
                session_id: v["sessionId"].as_str().map(str::to_owned),
                time_us: parse_rfc3339_us(v["timestamp"].as_str()?)?,
                error: v["error"].as_str().unwrap_or("unknown").to_owned(),
                text: v["message"]["content"][0]["text"]
                    .as_str()
                    .map(str::to_owned),
            })
        })
        .collect()
}

fn memfind(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// `2026-11-22T13:18:08.004Z` (UTC, as Claude Code writes it) to µs.
pub fn parse_rfc3339_us(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || !s.ends_with('Z') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let frac = s.get(19..s.len() - 1).unwrap_or("");
    let micros = match frac.strip_prefix('.') {
        Some(f) if !f.is_empty() && f.bytes().all(|c| c.is_ascii_digit()) => {
            let f = &f[..f.len().min(6)];
            f.parse::<i64>().ok()? * 10i64.pow(6 - f.len() as u32)
        }
        _ if frac.is_empty() => 0,
        _ => return None,
    };
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 86_400 + hh * 3600 + mm * 60 + ss) * 1_000_000) + micros)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339() {
        assert_eq!(parse_rfc3339_us("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339_us("2026-11-22T13:25:01.123456Z"),
            Some(1_795_353_901_123_456)
        );
        assert_eq!(
            parse_rfc3339_us("2026-11-22T13:25:01.5Z"),
            Some(1_795_353_901_500_000)
        );
        assert_eq!(parse_rfc3339_us("2026-11-22 13:25:01Z"), None);
        assert_eq!(parse_rfc3339_us("garbage"), None);
    }

    /// Shape copied from a 2.1.330 transcript after a 429.
    #[test]
    fn finds_api_errors_in_the_tail_only() {
        let d = std::env::temp_dir().join(format!("hw-transcript-{}", std::process::id()));
        let mut text = String::from(
            "{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"hi\"}}\n",
        );
        text.push_str(&"x".repeat(5000));
        text.push('\n');
        text.push_str(r#"{"type":"assistant","uuid":"f37b9c75","timestamp":"2026-11-22T13:18:08.004Z","message":{"model":"<synthetic>","role":"assistant","content":[{"type":"text","text":"API Error: Request rejected (429) · slow down"}]},"error":"rate_limit","isApiErrorMessage":true,"sessionId":"ea1c"}"#);
        text.push_str("\n{\"type\":\"last-prompt\",\"sessionId\":\"ea1c\"}\n");
        std::fs::write(&d, &text).unwrap();
        let found = api_errors(&d, 1024);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].error, "rate_limit");
        assert_eq!(found[0].uuid, "f37b9c75");
        assert_eq!(found[0].session_id.as_deref(), Some("ea1c"));
        assert!(found[0].text.as_deref().unwrap().contains("429"));
        assert!(api_errors(Path::new("/nonexistent/t.jsonl"), 1024).is_empty());
        std::fs::remove_file(d).unwrap();
    }
}
