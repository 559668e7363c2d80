//! Removes secrets from hook payloads before anything is stored or sent.
//!
//! This crate has one job: given the raw bytes of a hook event (usually the
//! JSON text exactly as Claude Code sent it, but possibly truncated JSON or
//! binary junk), return the same bytes with every secret replaced by
//! `[REDACTED:<rule-id>]`. The rules, their ids and their priority are one
//! table, listed by [`rules()`].
//!
//! # Design: no regexes, nothing to build at start-up
//!
//! The hook runs as a new process on every tool call, so whatever the scrubber
//! builds, it builds every time. Gitleaks-style regexes cost 4–6 ms per 5 KB
//! event even when compiled lazily behind a keyword prefilter
//! (`hot-path-measurements.md` §3), against a budget of about 50 µs for the
//! whole scrub. Even an Aho-Corasick automaton over the ~80 literal prefixes
//! took 70 µs (NFA) to 300 µs (DFA) to build on the reference machine before
//! scanning a byte, so this crate uses none.
//!
//! Instead every rule is anchored on one byte that its literal prefix or its
//! context must contain: the separator of a prefix (`_` of `ghp_`, `-` of
//! `glpat-`, `.` of `ya29.`), an assignment operator (`=`, `:`), the `:` of
//! `://`, the first two letters of the few prefixes without a separator
//! (`AKIA`, `AIza`, `SK`, `dapi`, `Bearer`), or the `</` that closes an XML
//! element named for a secret. The scanner finds anchors 16
//! bytes at a time (SSE2, part of every x86-64) and at each one compares the
//! word around it with the prefixes that end there; a hand-written check of
//! alphabet, length, structure, entropy and placeholders then accepts or
//! rejects the candidate. Nothing is allocated unless something is found.
//! Measured with `examples/bench_scrub.rs` (release build): about 25 µs for
//! the first call on a 5 KB event in a fresh process, about 2 ms per MB.
//!
//! # JSON safety
//!
//! The bytes are scrubbed without parsing, so a redacted span must never
//! swallow a quote or half an escape of the surrounding JSON. Token alphabets
//! exclude `"` and `\`, values stop at them, a value opened by a bare `"`
//! that might really be the end of a string may not contain JSON punctuation,
//! and the one rule whose span runs across escapes (private keys, whose
//! newlines are `\n` inside the string) starts and ends outside any escape and
//! stops at the end of its string. If the input is valid JSON, the output is
//! too (property-tested in `tests/props.rs`).

mod anchor;
mod generic;
mod k8s;
mod pem;
mod rules;
mod scan;
mod service;
mod shape;
mod url;

use std::borrow::Cow;

use rules::Rule;

/// One redacted span: which rule matched, and where, in the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    pub start: usize,
    pub end: usize,
}

/// A rule as documented and listed by `hookwatch`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleInfo {
    /// Stable kebab-case id, as in the `[REDACTED:<id>]` marker.
    pub id: &'static str,
    pub description: &'static str,
}

/// A candidate found by the scanner, before overlaps are resolved.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Hit {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) rule: Rule,
}

/// Scrub secrets from raw bytes (usually JSON text as Claude Code sends it,
/// but may be any bytes: malformed JSON, binary junk).
/// Returns `Cow::Borrowed` when nothing was found (the common case does not
/// allocate).
pub fn scrub(input: &[u8]) -> Cow<'_, [u8]> {
    scrub_with_report(input).0
}

/// Same as [`scrub`], plus what was found (rule ids and byte ranges in the
/// input), for tests, `hookwatch` diagnostics and counting.
pub fn scrub_with_report(input: &[u8]) -> (Cow<'_, [u8]>, Vec<Finding>) {
    let mut hits = Vec::new();
    scan::find_all(input, &mut hits);
    if hits.is_empty() {
        return (Cow::Borrowed(input), Vec::new());
    }
    let spans = resolve(hits);
    let mut out = Vec::with_capacity(input.len() + spans.len() * 24);
    let mut copied = 0;
    for f in &spans {
        out.extend_from_slice(&input[copied..f.start]);
        out.extend_from_slice(b"[REDACTED:");
        out.extend_from_slice(f.rule.as_bytes());
        out.push(b']');
        copied = f.end;
    }
    out.extend_from_slice(&input[copied..]);
    (Cow::Owned(out), spans)
}

/// [`scrub`] for text: error messages, config values, command lines.
pub fn scrub_str(input: &str) -> Cow<'_, str> {
    match scrub(input.as_bytes()) {
        Cow::Borrowed(_) => Cow::Borrowed(input),
        // Spans start and end at ASCII bytes or at the ends of the input, so
        // the output is UTF-8 whenever the input is; lossy is a safety net.
        Cow::Owned(bytes) => Cow::Owned(
            String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        ),
    }
}

/// The rule table, in priority order: id and one-line description.
pub fn rules() -> &'static [RuleInfo] {
    rules::RULES
}

/// Bumped whenever a rule change makes the scrubber find more (a new rule,
/// a wider shape), so `hookwatch rescrub` walks stored data again.
const RULES_REVISION: u32 = 2;

/// The rule set's version: the revision and a hash of the rule ids. Stored
/// data rescrubbed with this version needs no second pass.
pub fn rules_version() -> String {
    // FNV-1a: stable across releases and platforms, unlike `DefaultHasher`.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for r in rules::RULES {
        for b in r.id.bytes().chain([0]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{RULES_REVISION}-{h:016x}")
}

/// Earliest start wins, then the longest span, then the rule listed first;
/// later hits that overlap the winner are merged into it, so every byte of
/// every candidate is redacted exactly once.
fn resolve(mut hits: Vec<Hit>) -> Vec<Finding> {
    hits.sort_unstable_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then(b.end.cmp(&a.end))
            .then(a.rule.cmp(&b.rule))
    });
    let mut spans: Vec<Finding> = Vec::with_capacity(hits.len());
    for h in hits {
        if h.end <= h.start {
            continue;
        }
        match spans.last_mut() {
            Some(last) if h.start < last.end => last.end = last.end.max(h.end),
            _ => spans.push(Finding {
                rule: h.rule.id(),
                start: h.start,
                end: h.end,
            }),
        }
    }
    spans
}
