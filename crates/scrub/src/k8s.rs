//! Two shapes where the name of a secret is not right before its value:
//!
//! - name/value pairs: `- name: DB_PASSWORD⏎  value: …` (Kubernetes env),
//!   `{"name": "API_KEY", "value": "…"}`, `<add key="ClearTextPassword"
//!   value="…" />` (NuGet, .NET config). The value's own key is `value`; the
//!   name is in the field or attribute just before it.
//! - the `data:` / `stringData:` of a Kubernetes `Secret`: every value in it
//!   is a secret, whatever its key (`ca.pem`, `.dockerconfigjson`, `extra`).
//!
//! Both work on YAML as written and as it arrives inside a JSON string
//! (lines separated by `\n` escapes).

use crate::rules::Rule;
use crate::shape::*;
use crate::Hit;

/// For a key `value` ending at `ks`, the name it is paired with: the
/// identifier of a `name`/`key` field or attribute just before, with only
/// blanks, quotes, commas and line breaks (also escaped) in between.
pub(crate) fn paired_name(input: &[u8], ks: usize) -> Option<(usize, usize)> {
    // Back over what may separate the two fields.
    let mut p = ks;
    let floor = ks.saturating_sub(64);
    while p > floor {
        let b = input[p - 1];
        if matches!(
            b,
            b' ' | b'\t' | b'\r' | b'\n' | b'"' | b'\'' | b',' | b'-' | b'\\'
        ) {
            p -= 1;
        } else if matches!(b, b'n' | b't' | b'r' | b'"') && p >= 2 && input[p - 2] == b'\\' {
            p -= 2;
        } else {
            break;
        }
    }
    let name_end = p;
    let name_start = run_start(input, name_end, IDENT);
    if name_start == name_end {
        return None;
    }
    // Then the operator and the field's own name.
    let mut q = name_start;
    while q > floor && matches!(input[q - 1], b' ' | b'"' | b'\'' | b'\\') {
        q -= 1;
    }
    if q == 0 || !matches!(input[q - 1], b':' | b'=') {
        return None;
    }
    q -= 1;
    while q > floor && matches!(input[q - 1], b' ' | b'"' | b'\'' | b'\\') {
        q -= 1;
    }
    let field = &input[run_start(input, q, IDENT)..q];
    let is_name = matches!(
        field,
        b"name" | b"key" | b"Name" | b"Key" | b"ParameterKey" | b"OptionName"
    );
    is_name.then_some((name_start, name_end))
}

/// Is the key ending at `ke` the `data` or `stringData` of a Kubernetes
/// `Secret`? Then redact every value under it; returns true when it was.
pub(crate) fn secret_data(
    input: &[u8],
    ks: usize,
    ke: usize,
    op_end: usize,
    out: &mut Vec<Hit>,
) -> bool {
    let key = &input[ks..ke];
    let string_data = key == b"stringData";
    if key != b"data" && !string_data {
        return false;
    }
    if !near_kind_secret(input, ks) {
        return false;
    }
    let n = input.len();
    // JSON (`kubectl get secret -o json`): `"data": {"k": "v", …}`.
    let mut p = op_end;
    while p < n && matches!(input[p], b' ' | b'\t') {
        p += 1;
    }
    if input.get(p) == Some(&b'{') {
        json_object_values(input, p + 1, out);
        return true;
    }
    // YAML: the lines indented more than `data:`.
    let escaped = input.get(p) == Some(&b'\\');
    let base = indent_of_line(input, ks);
    let mut line = next_line(input, op_end, escaped);
    let mut block: Option<usize> = None;
    while let Some(ls) = line {
        let (indent, cs) = indentation(input, ls);
        let le = line_end(input, cs, escaped);
        if cs == le {
            line = next_line(input, le, escaped);
            continue;
        }
        if indent <= base {
            break;
        }
        if let Some(bi) = block {
            if indent > bi {
                push(out, cs, trim_end(input, cs, le));
                line = next_line(input, le, escaped);
                continue;
            }
            block = None;
        }
        if let Some(colon) = (cs..le).find(|&i| input[i] == b':') {
            let mut vs = colon + 1;
            while vs < le && matches!(input[vs], b' ' | b'\t') {
                vs += 1;
            }
            let ve = trim_end(input, vs, le);
            let v = &input[vs..ve];
            if matches!(v, b"|" | b">" | b"|-" | b">-" | b"|+" | b">+") {
                block = Some(indent);
            } else if !v.is_empty() {
                let (s, e) = unquote(input, vs, ve);
                // Base64 of 8+ bytes (`YmFyCg==`, "bar", is a sample value).
                let long_enough = string_data || e - s >= 10;
                if long_enough && (string_data || all_in(&input[s..e], B64 | UNDERSCORE | DASH)) {
                    push(out, s, e);
                }
            }
        }
        line = next_line(input, le, escaped);
    }
    true
}

fn push(out: &mut Vec<Hit>, start: usize, end: usize) {
    if end > start {
        out.push(Hit {
            start,
            end,
            rule: Rule::KubernetesSecret,
        });
    }
}

/// The `kind` of the manifest `data:` at `at` belongs to is `Secret` (any
/// case, YAML or JSON): the nearest `kind` before it in the same document
/// (documents end at `---`), else the nearest after it.
fn near_kind_secret(input: &[u8], at: usize) -> bool {
    let from = at.saturating_sub(2000);
    let before = &input[from..at];
    let doc_start = hookwatch_find::rfind(before, b"---").map_or(0, |d| d + 3);
    if let Some(k) = hookwatch_find::rfind(&before[doc_start..], b"kind") {
        return kind_is_secret(&before[doc_start + k + 4..]);
    }
    let to = (at + 2000).min(input.len());
    let after = &input[at..to];
    let doc_end = hookwatch_find::find(after, b"---").unwrap_or(after.len());
    hookwatch_find::find(&after[..doc_end], b"kind")
        .is_some_and(|k| kind_is_secret(&after[k + 4..doc_end]))
}

/// `: Secret`, `": "Secret"`, `\":\"secret\"` right after a `kind`.
fn kind_is_secret(w: &[u8]) -> bool {
    let mut j = 0;
    while j < w.len() && j < 8 && matches!(w[j], b'"' | b'\'' | b'\\' | b':' | b' ' | b'\t') {
        j += 1;
    }
    j > 0
        && w.len() >= j + 6
        && w[j..j + 6].eq_ignore_ascii_case(b"secret")
        && !w.get(j + 6).is_some_and(|b| b.is_ascii_alphanumeric())
}

fn json_object_values(input: &[u8], from: usize, out: &mut Vec<Hit>) {
    let n = input.len();
    let mut p = from;
    let limit = (from + 64 * 1024).min(n);
    while p < limit && input[p] != b'}' {
        // "key" : "value"
        let Some(colon) = (p..limit).find(|&i| input[i] == b':' || input[i] == b'}') else {
            return;
        };
        if input[colon] == b'}' {
            return;
        }
        let mut vs = colon + 1;
        while vs < limit && matches!(input[vs], b' ' | b'\t' | b'\n' | b'\r') {
            vs += 1;
        }
        let Some(q) = quote_len(input, vs) else {
            return;
        };
        let s = vs + q;
        let e = run_end(input, s, B64 | UNDERSCORE | DASH | DOT);
        push(out, s, e);
        p = e + q;
        while p < limit && matches!(input[p], b'"' | b'\\' | b',' | b' ' | b'\n' | b'\r' | b'\t') {
            p += 1;
        }
    }
}

/// Start of the next line after `from`. `escaped`: the YAML sits in a
/// JSON string, lines end at `\n` escapes and the string at a bare `"`.
fn next_line(input: &[u8], from: usize, escaped: bool) -> Option<usize> {
    let e = line_end(input, from, escaped);
    match input.get(e) {
        Some(b'\n') => Some(e + 1),
        Some(b'\r') if input.get(e + 1) == Some(&b'\n') => Some(e + 2),
        Some(b'\\') => Some(
            e + 2
                + usize::from(input.get(e + 1) == Some(&b'r') && input.get(e + 2) == Some(&b'\\'))
                    * 2,
        ),
        _ => None,
    }
}

/// End of the line at `from` (where its line break or the string starts).
fn line_end(input: &[u8], from: usize, escaped: bool) -> usize {
    let n = input.len();
    let mut i = from;
    while i < n {
        match input[i] {
            b'\n' | b'\r' if !escaped => return i,
            b'\\' if escaped => match input.get(i + 1) {
                Some(b'n' | b'r') => return i,
                _ => i += 2,
            },
            b'"' if escaped => return i,
            _ => i += 1,
        }
    }
    n
}

/// Columns of indentation of the line starting at `ls` (a tab, or a `\t`
/// escape, counts as one), and where its content starts.
fn indentation(input: &[u8], ls: usize) -> (usize, usize) {
    let mut i = ls;
    let mut cols = 0;
    loop {
        match input.get(i) {
            Some(b' ' | b'\t') => i += 1,
            Some(b'\\') if input.get(i + 1) == Some(&b't') => i += 2,
            _ => return (cols, i),
        }
        cols += 1;
    }
}

/// Indentation of the line that holds `at`.
fn indent_of_line(input: &[u8], at: usize) -> usize {
    let mut s = at;
    while s > 0
        && input[s - 1] != b'\n'
        && !(s >= 2 && input[s - 2] == b'\\' && input[s - 1] == b'n')
    {
        s -= 1;
    }
    indentation(input, s).0
}

fn trim_end(input: &[u8], s: usize, mut e: usize) -> usize {
    while e > s && matches!(input[e - 1], b' ' | b'\t') {
        e -= 1;
    }
    e
}

fn unquote(input: &[u8], s: usize, e: usize) -> (usize, usize) {
    match quote_len(input, s) {
        Some(q) if e >= s + 2 * q => (s + q, e - q),
        _ => (s, e),
    }
}
