//! Private key blocks: `-----BEGIN … PRIVATE KEY-----` through the matching
//! `-----END …-----`.
//!
//! In the hook's JSON the block sits inside one string with its newlines
//! written as `\n`, so the span runs across escapes; that is safe because
//! it starts and ends outside any escape and never passes a `"`. Tool output
//! is often cut off, so a block without END is redacted to the end of its
//! JSON string (or of the input).

use crate::rules::Rule;
use crate::shape::*;
use crate::Hit;

const BEGIN: &[u8] = b"-----BEGIN ";

pub(crate) fn scan(input: &[u8], begin: usize, out: &mut Vec<Hit>) -> Option<usize> {
    let label_start = begin + BEGIN.len();
    let label_end = label_end_at(input, label_start);
    let label = &input[label_start..label_end];
    if !(label.ends_with(b"PRIVATE KEY") || label.ends_with(b"PRIVATE KEY BLOCK"))
        || !starts_with_at(input, label_end, b"-----")
    {
        return None;
    }
    let header_end = label_end + 5;
    let region_end = string_end(input, header_end);
    if !has_key_body(&input[header_end..region_end]) {
        return None;
    }
    let end = match hookwatch_find::find(&input[header_end..region_end], b"-----END ") {
        Some(e) => {
            let lab = header_end + e + 9;
            let lab_end = label_end_at(input, lab);
            if starts_with_at(input, lab_end, b"-----") && lab_end + 5 <= region_end {
                lab_end + 5
            } else {
                region_end
            }
        }
        None => region_end,
    };
    out.push(Hit {
        start: begin,
        end,
        rule: Rule::PrivateKey,
    });
    Some(end)
}

fn label_end_at(input: &[u8], from: usize) -> usize {
    let mut e = from;
    while e < input.len()
        && e - from < 64
        && (input[e].is_ascii_uppercase() || input[e].is_ascii_digit() || input[e] == b' ')
    {
        e += 1;
    }
    e
}

/// Where the enclosing JSON string ends: before the first `"`, or before the
/// backslash of `\"` when the block sits in a string nested in a string.
/// A PuTTY private key file (`PuTTY-User-Key-File-3: ssh-ed25519`): the
/// lines after `Private-Lines: N` through `Private-MAC: …` are the key; the
/// public lines before them stay. `dash` is the `-` after `PuTTY`.
pub(crate) fn putty(input: &[u8], dash: usize, out: &mut Vec<Hit>) -> Option<usize> {
    if !starts_with_at(input, dash + 1, b"User-Key-File-") {
        return None;
    }
    let region_end = string_end(input, dash);
    let region = &input[dash..region_end];
    let lines = dash + hookwatch_find::find(region, b"Private-Lines:")?;
    // The key starts on the line after `Private-Lines: N`.
    let mut s = lines + 14;
    while s < region_end && (input[s] == b' ' || input[s].is_ascii_digit()) {
        s += 1;
    }
    s = after_line_break(input, s)?;
    let end = match hookwatch_find::find(&input[s..region_end], b"Private-MAC:") {
        Some(m) => {
            let mut e = s + m;
            while e < region_end && !matches!(input[e], b'\n' | b'\r' | b'\\') {
                e += 1;
            }
            e
        }
        None => region_end,
    };
    (end > s).then(|| {
        out.push(Hit {
            start: s,
            end,
            rule: Rule::PrivateKey,
        });
        end
    })
}

/// Past one line break at `at`: `\n`, `\r\n` or their JSON escapes.
fn after_line_break(input: &[u8], at: usize) -> Option<usize> {
    for lb in [&b"\r\n"[..], b"\n", b"\\r\\n", b"\\n"] {
        if starts_with_at(input, at, lb) {
            return Some(at + lb.len());
        }
    }
    None
}

fn string_end(input: &[u8], from: usize) -> usize {
    match hookwatch_find::byte(b'"', &input[from..]) {
        Some(q) => {
            let q = from + q;
            let backslashes = input[from..q]
                .iter()
                .rev()
                .take_while(|&&b| b == b'\\')
                .count();
            if backslashes % 2 == 1 {
                q - 1
            } else {
                q
            }
        }
        None => input.len(),
    }
}

/// A real block continues with base64 (or armour headers); source code that
/// merely mentions the BEGIN line (`starts_with("-----BEGIN RSA PRIVATE
/// KEY-----")`) continues with a quote or code.
fn has_key_body(body: &[u8]) -> bool {
    let mut p = 0;
    loop {
        match body.get(p) {
            Some(b) if b.is_ascii_whitespace() => p += 1,
            Some(b'\\') => {
                let slashes = body[p..].iter().take_while(|&&b| b == b'\\').count();
                match body.get(p + slashes) {
                    Some(b'n' | b'r' | b't') => p += slashes + 1,
                    _ => return false,
                }
            }
            _ => break,
        }
    }
    let rest = &body[p..];
    for header in [
        &b"Proc-Type:"[..],
        b"DEK-Info:",
        b"Version:",
        b"Comment:",
        b"Hash:",
    ] {
        if rest.starts_with(header) {
            return true;
        }
    }
    run_end(rest, 0, B64) >= 16
}
