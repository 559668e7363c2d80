//! Fingerprints: the same failure gets the same id in every session, machine
//! and temp dir. The rule is documented in the crate docs; keep both in sync.

use crate::prepare::Prepared;
use crate::{Failure, Fingerprint};

/// Bound of `normalized_error` (bytes).
pub(crate) const MAX_NORMALIZED: usize = 512;
/// Bound of one normalised line (bytes).
const MAX_LINE: usize = 160;
/// Signal lines looked at, repeats included: a log that repeats one line
/// with different numbers (all equal once normalised) must not make the hook
/// normalise hundreds of them.
const MAX_SIGNAL_LINES: usize = 24;

/// Hashed in front of the parts, so a change of the rule changes every id
/// instead of silently mixing old and new ids.
const DOMAIN: &str = "hookwatch-failure-fingerprint-v1";

/// Computes the fingerprint of a failure. See the crate docs for the rule.
pub fn fingerprint(f: &Failure) -> Fingerprint {
    fingerprint_of(&Prepared::new(f))
}

pub(crate) fn fingerprint_of(p: &Prepared) -> Fingerprint {
    let normalized = normalized_error(p);
    let mut h = blake3::Hasher::new();
    for part in [
        DOMAIN,
        p.tool,
        p.head.as_deref().unwrap_or(""),
        p.mcp_server.unwrap_or(""),
        &normalized,
    ] {
        // Length-prefixed so ("ab","c") and ("a","bc") differ.
        h.update(&(part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    let hash = h.finalize();
    let mut id = String::with_capacity(16);
    for b in &hash.as_bytes()[..8] {
        id.push(char::from(HEX[(b >> 4) as usize]));
        id.push(char::from(HEX[(b & 15) as usize]));
    }
    Fingerprint {
        id,
        tool: p.tool.to_string(),
        head: p.head.clone(),
        normalized_error: normalized,
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn normalized_error(p: &Prepared) -> String {
    if p.is_interrupt {
        return "interrupted".into();
    }
    let mut out = String::new();
    if let Some(code) = p.exit_code {
        out.push_str("exit ");
        out.push_str(&code.to_string());
    }
    if let Some(name) = p.file_name {
        push_sep(&mut out);
        out.push_str("file: ");
        let mut n = String::new();
        normalize_into(name, &mut n, false);
        truncate(&mut n, MAX_LINE);
        out.push_str(&n);
    }
    let body = p.body.as_ref();
    let mut seen: Vec<String> = Vec::new();
    let mut add = |out: &mut String, line: &str| -> bool {
        // Normalizing rarely lengthens a line: one allocation, not a
        // growth per few characters.
        let mut n = String::with_capacity(line.len().min(MAX_LINE) + 16);
        normalize_into(line, &mut n, true);
        truncate(&mut n, MAX_LINE);
        if n.is_empty() || seen.contains(&n) {
            return true;
        }
        let room = MAX_NORMALIZED.saturating_sub(out.len() + 1);
        if room == 0 {
            return false;
        }
        truncate(&mut n, room);
        push_sep(out);
        out.push_str(&n);
        seen.push(n);
        true
    };
    if !p.signal.is_empty() {
        for &(s, e) in p.signal.iter().take(MAX_SIGNAL_LINES) {
            if !add(&mut out, &body[s..e]) {
                break;
            }
        }
    } else {
        // No line says what went wrong: the first and last lines identify
        // the output best (program banner, final message).
        let lines: Vec<&str> = body.lines().filter(|l| !l.trim().is_empty()).collect();
        let n = lines.len();
        let picks: Vec<usize> = if n <= 4 {
            (0..n).collect()
        } else {
            vec![0, 1, n - 2, n - 1]
        };
        for i in picks {
            if !add(&mut out, lines[i]) {
                break;
            }
        }
    }
    out
}

fn push_sep(out: &mut String) {
    if !out.is_empty() {
        out.push('\n');
    }
}

fn truncate(s: &mut String, max: usize) {
    if s.len() > max {
        let mut i = max;
        while !s.is_char_boundary(i) {
            i -= 1;
        }
        s.truncate(i);
    }
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Characters that end a path or URL.
fn is_delim(b: u8) -> bool {
    b.is_ascii_whitespace()
        || matches!(
            b,
            b'\''
                | b'"'
                | b'`'
                | b'('
                | b')'
                | b'['
                | b']'
                | b'{'
                | b'}'
                | b'<'
                | b'>'
                | b','
                | b';'
                | b':'
                | b'|'
        )
}

fn path_may_start_after(prev: Option<u8>) -> bool {
    match prev {
        None => true,
        Some(b) => {
            b.is_ascii_whitespace()
                || matches!(
                    b,
                    b'\'' | b'"' | b'`' | b'(' | b'[' | b'{' | b'<' | b'=' | b':' | b','
                )
        }
    }
}

const MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Normalises one line: lowercase, ANSI colours removed, volatile tokens
/// replaced, whitespace collapsed. `paths`: whether absolute paths and URLs
/// are reduced (off when normalising a file name that already is one).
pub(crate) fn normalize_into(line: &str, out: &mut String, paths: bool) {
    let b = line.as_bytes();
    let n = b.len();
    let mut i = 0;
    // Whether the last thing pushed was a space (or nothing): collapses runs
    // and drops leading whitespace.
    let mut space = out.is_empty() || out.ends_with('\n');
    let base = out.len();
    while i < n {
        let c = b[i];
        let prev = if i == 0 { None } else { Some(b[i - 1]) };
        if c == 0x1b {
            i += 1;
            if b.get(i) == Some(&b'[') {
                i += 1;
                while i < n && !(0x40..=0x7e).contains(&b[i]) {
                    i += 1;
                }
                i += 1;
            }
            continue;
        }
        if c.is_ascii_whitespace() || c < 0x20 || c == 0x7f {
            if !space {
                out.push(' ');
                space = true;
            }
            i += 1;
            continue;
        }
        space = false;
        let prev_word = prev.is_some_and(is_word);
        if paths
            && (c == b'/' || (c == b'~' && b.get(i + 1) == Some(&b'/')))
            && path_may_start_after(prev)
            && b.get(i + 1).is_some_and(|&x| !is_delim(x))
        {
            let end = (i..n).find(|&j| is_delim(b[j])).unwrap_or(n);
            push_path(&line[i..end], out);
            i = end;
            continue;
        }
        if paths && c.is_ascii_alphabetic() && !prev_word {
            if let Some(end) = url_at(b, i) {
                push_url(&line[i..end], out);
                i = end;
                continue;
            }
        }
        if is_word(c) && !prev_word {
            if c.is_ascii_hexdigit() && is_uuid(&b[i..]) {
                out.push_str("<uuid>");
                i += 36;
                continue;
            }
            let end = (i..n).find(|&j| !is_word(b[j])).unwrap_or(n);
            let w = &line[i..end];
            if w.len() > 3 && w.bytes().all(|x| x == b'_') {
                out.push_str("___");
                i = end;
                continue;
            }
            if is_hex_id(w) {
                out.push_str("<hex>");
                i = end;
                continue;
            }
            if c.is_ascii_digit() {
                let end = number_end(b, i);
                let tok = &line[i..end];
                if keep_number(&out[base..], tok) {
                    out.push_str(tok);
                } else {
                    out.push_str("<n>");
                }
                i = end;
                continue;
            }
            if is_random(w) {
                out.push_str("<id>");
                i = end;
                continue;
            }
            if (c | 0x20) == b'v' && w.len() > 1 && w[1..].bytes().all(|d| d.is_ascii_digit()) {
                out.push_str("v<n>");
                i = number_end(b, i + 1);
                continue;
            }
            if w.len() == 3
                && MONTHS.iter().any(|m| m.eq_ignore_ascii_case(w))
                && b.get(end) == Some(&b' ')
                && b.get(end + 1).is_some_and(u8::is_ascii_digit)
            {
                out.push_str("<n>");
                i = end;
                continue;
            }
            // Word bytes are ASCII: append, then lower-case in place.
            let from = out.len();
            out.push_str(&line[i..end]);
            out[from..].make_ascii_lowercase();
            i = end;
            continue;
        }
        // Rules drawn to the terminal width (`=====`, `-----`) differ per
        // machine; any run longer than three counts as three.
        if matches!(
            c,
            b'=' | b'-' | b'*' | b'!' | b'#' | b'~' | b'.' | b'+' | b'^'
        ) && b.get(i + 1) == Some(&c)
            && b.get(i + 2) == Some(&c)
        {
            let end = (i..n).find(|&j| b[j] != c).unwrap_or(n);
            for _ in 0..3 {
                out.push(char::from(c));
            }
            i = end;
            continue;
        }
        if c < 0x80 {
            out.push(char::from(c.to_ascii_lowercase()));
            i += 1;
        } else {
            let ch = line[i..].chars().next().unwrap_or('\u{fffd}');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    while out.len() > base && out.ends_with(' ') {
        out.pop();
    }
}

/// Numbers, with separators of dates, times, versions, IPs, durations
/// (`2026-11-22T10:00:01.5Z`, `127.0.0.1`, `0.53s`) swallowed into one token.
fn number_end(b: &[u8], mut j: usize) -> usize {
    let n = b.len();
    loop {
        while j < n && b[j].is_ascii_digit() {
            j += 1;
        }
        if j + 1 < n
            && matches!(b[j], b'.' | b':' | b',' | b'-' | b'/' | b'_' | b't' | b'T')
            && b[j + 1].is_ascii_digit()
        {
            j += 1;
            continue;
        }
        break;
    }
    // Units and suffixes: `ms`, `s`, `kb`, `x` of `0x7f..`, `z` of timestamps.
    while j < n && is_word(b[j]) {
        j += 1;
    }
    j
}

/// Codes are kept where they distinguish failures: `exit status 2`,
/// `code 127`, `errno 13`, `error: 404`, `MCP error -32601`.
fn keep_number(out: &str, tok: &str) -> bool {
    if tok.len() > 5 || !tok.bytes().all(|d| d.is_ascii_digit()) {
        return false;
    }
    let t = out.trim_end_matches([' ', ':', '#', '=', '-', '(']);
    let word_start = t
        .bytes()
        .rposition(|x| !x.is_ascii_alphabetic())
        .map_or(0, |p| p + 1);
    match &t[word_start..] {
        "code" | "status" | "errno" | "exit" => true,
        "error" => tok.len() >= 3,
        _ => false,
    }
}

/// Git SHAs, container ids, hashes: ≥ 7 hex digits with at least one digit
/// and one letter (so plain numbers and words like "defaced" stay).
fn is_hex_id(w: &str) -> bool {
    w.len() >= 7
        && w.bytes().all(|x| x.is_ascii_hexdigit())
        && w.bytes().any(|x| x.is_ascii_digit())
        && w.bytes().any(|x| x.is_ascii_alphabetic())
}

/// Generated names (temp files, random suffixes): long words mixing many
/// digits and letters. Error codes (`E0425`, `TS2304`) are short and stay.
fn is_random(w: &str) -> bool {
    if w.len() < 10 {
        return false;
    }
    let digits = w.bytes().filter(u8::is_ascii_digit).count();
    let letters = w.bytes().filter(u8::is_ascii_alphabetic).count();
    digits >= 3 && letters >= 2
}

fn is_uuid(b: &[u8]) -> bool {
    if b.len() < 36 {
        return false;
    }
    for (k, &x) in b[..36].iter().enumerate() {
        let ok = if matches!(k, 8 | 13 | 18 | 23) {
            x == b'-'
        } else {
            x.is_ascii_hexdigit()
        };
        if !ok {
            return false;
        }
    }
    b.get(36).is_none_or(|&x| !is_word(x))
}

/// `scheme://...` starting at `i`; returns the end of the URL.
fn url_at(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i;
    while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'+') && j - i < 12 {
        j += 1;
    }
    if !b[j..].starts_with(b"://") {
        return None;
    }
    let mut k = j + 3;
    // ':' is part of a URL (port) even though it ends a path.
    while k < b.len() && (!is_delim(b[k]) || b[k] == b':') {
        k += 1;
    }
    Some(k)
}

/// `scheme://host[:port]/a/b?q` → `scheme://host:<n>/b`: the host says which
/// service failed; query strings and deep paths are volatile.
fn push_url(url: &str, out: &mut String) {
    let sep = url.find("://").unwrap_or(0);
    out.push_str(&url[..sep + 3].to_ascii_lowercase());
    let rest = &url[sep + 3..];
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let (host, path) = match rest.find('/') {
        Some(p) => (&rest[..p], &rest[p..]),
        None => (rest, ""),
    };
    // Credentials in URLs are never echoed.
    let host = host.rsplit('@').next().unwrap_or(host);
    normalize_into(host, out, false);
    let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    if !last.is_empty() {
        out.push('/');
        normalize_into(last, out, false);
    }
}

fn temp_prefix_len(comps: &[&str]) -> Option<usize> {
    let eq = |k: usize, s: &str| comps.get(k).is_some_and(|c| c.eq_ignore_ascii_case(s));
    if eq(0, "tmp") {
        Some(1)
    } else if (eq(0, "var") || eq(0, "private")) && eq(1, "tmp") || eq(0, "dev") && eq(1, "shm") {
        Some(2)
    } else if eq(0, "var") && eq(1, "folders") {
        Some(5) // /var/folders/xx/yyyy/T
    } else if eq(0, "private") && eq(1, "var") && eq(2, "folders") {
        Some(6)
    } else {
        None
    }
}

/// Absolute paths keep only their file name: the directories differ per
/// machine, user and temp dir, the file name tells different files apart.
fn push_path(p: &str, out: &mut String) {
    let p = p.trim_end_matches('.');
    let comps: Vec<&str> = p
        .split('/')
        .filter(|c| !c.is_empty() && *c != "." && *c != "~")
        .collect();
    if comps.is_empty() {
        out.push_str(if p.starts_with('~') { "<home>" } else { "/" });
        return;
    }
    let home = (comps[0].eq_ignore_ascii_case("home") || comps[0].eq_ignore_ascii_case("users"))
        && comps.len() <= 2
        || comps[0] == "root" && comps.len() == 1;
    if home {
        out.push_str("<home>");
        return;
    }
    if let Some(k) = temp_prefix_len(&comps) {
        if comps.len() <= k + 1 {
            out.push_str("<tmp>");
            return;
        }
    }
    normalize_into(comps[comps.len() - 1], out, false);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        let mut o = String::new();
        normalize_into(s, &mut o, true);
        o
    }

    #[test]
    fn normalisation() {
        let cases = [
            (" --> /work/shop/src/main.rs:3:5", "--> main.rs:<n>"),
            (
                "error[E0425]: cannot find value `x`",
                "error[e0425]: cannot find value `x`",
            ),
            (
                "Error: connect ECONNREFUSED 127.0.0.1:5432",
                "error: connect econnrefused <n>",
            ),
            (
                "=== 2 failed, 10 passed in 0.53s ===",
                "=== <n> failed, <n> passed in <n> ===",
            ),
            (
                "_____ test_div ______ ======= x =========",
                "___ test_div ___ === x ===",
            ),
            ("HEAD is now at 3f2a9c1d fix", "head is now at <hex> fix"),
            (
                "id 123e4567-e89b-12d3-a456-426614174000 gone",
                "id <uuid> gone",
            ),
            ("[2026-11-22 10:00:01] boom", "[<n> <n>] boom"),
            ("at 2026-11-22T10:00:01.123Z failed", "at <n> failed"),
            ("Nov 22 10:00:01 host x", "<n> <n> <n> host x"),
            ("open '/tmp/tmp.Xa81kk2Q9z'", "open '<tmp>'"),
            (
                "open '/tmp/pytest-of-u/pytest-12/test_a0/data.json'",
                "open 'data.json'",
            ),
            ("cd /home/alice", "cd <home>"),
            ("addr 0x7ffd5a3c rip", "addr <n> rip"),
            ("MCP error -32603: Internal", "mcp error -32603: internal"),
            (
                "curl: (22) The requested URL returned error: 404",
                "curl: (<n>) the requested url returned error: 404",
            ),
            ("exit status 2", "exit status 2"),
            (
                "fetch https://user:pw@registry.npmjs.org/a/left-pad?x=1 failed",
                "fetch https://registry.npmjs.org/left-pad failed",
            ),
            ("\x1b[31merror\x1b[0m:   x\t y", "error: x y"),
            ("shop v0.1.0 (/work/shop)", "shop v<n> (shop)"),
            ("src/lib.rs and/or 1/2", "src/lib.rs and/or <n>"),
            ("größe ÄÖ", "größe ÄÖ"),
        ];
        let bad: Vec<String> = cases
            .iter()
            .filter(|(i, w)| norm(i) != *w)
            .map(|(i, w)| format!("{i:?}: got {:?}, want {w:?}", norm(i)))
            .collect();
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }
}
