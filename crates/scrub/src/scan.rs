//! The scanner: one pass over the bytes, stopping only at the few bytes that
//! can end or start a secret's literal prefix.
//!
//! Every rule is anchored on one byte: the separator inside its prefix (`_` of
//! `ghp_`, `-` of `glpat-`, `.` of `ya29.`), the operator of an assignment
//! (`=`, `:`), the `://` of a URL, or the first letter of a word for the few
//! prefixes without a separator (`AKIA`, `AIza`, `SK`, `dapi`, `Bearer`).
//! [`next_anchor`] finds anchors 16 bytes at a time; at each one the word
//! before it is compared with the prefixes that end in that byte. There is
//! nothing to build at start-up (see the crate docs for why that matters).

use crate::anchor::next_anchor;
use crate::generic::{self, Op};
use crate::rules::Rule::{self, *};
use crate::shape::*;
use crate::{pem, url, Hit};

/// Collects every candidate secret; overlaps are resolved by the caller.
pub(crate) fn find_all(input: &[u8], out: &mut Vec<Hit>) {
    let mut i = 0;
    while let Some(at) = next_anchor(input, i) {
        let next = match input[at] {
            b'_' => on_underscore(input, at, out),
            b'-' => on_dash(input, at, out),
            b'.' => on_dot(input, at, out),
            b':' => on_colon(input, at, out),
            b'=' => on_equals(input, at, out),
            b'<' => {
                generic::on_close_tag(input, at, out);
                None
            }
            letter if left_boundary(input, at) => on_word_start(input, at, letter, out),
            _ => None,
        };
        // Resuming past a redacted span skips anchors inside it: whatever
        // they would find is covered already.
        i = next.map_or(at + 1, |resume| resume.max(at + 1));
    }
}

/// A token recognised by its literal prefix: `word` (the letters before the
/// anchor byte), the anchor, `rest`, then a run of `set` bytes whose length
/// is within `min..=max` and which passes `check`.
struct Prefix {
    word: &'static [u8],
    rest: &'static [u8],
    set: u16,
    min: usize,
    max: usize,
    rule: Rule,
    check: fn(&[u8]) -> bool,
}

const fn p(
    word: &'static [u8],
    rest: &'static [u8],
    set: u16,
    (min, max): (usize, usize),
    rule: Rule,
    check: fn(&[u8]) -> bool,
) -> Prefix {
    Prefix {
        word,
        rest,
        set,
        min,
        max,
        rule,
        check,
    }
}

/// Prefixes ending in `_`: `ghp_`, `npm_`, `sk_live_`, ...
#[rustfmt::skip]
const UNDERSCORE_PREFIXES: &[Prefix] = &[
    p(b"ghp",     b"",                ALNUM,          (36, 255),  GithubToken,          not_filler),
    p(b"gho",     b"",                ALNUM,          (36, 255),  GithubToken,          not_filler),
    p(b"ghu",     b"",                ALNUM,          (36, 255),  GithubToken,          not_filler),
    p(b"ghs",     b"",                ALNUM,          (36, 255),  GithubToken,          not_filler),
    p(b"ghr",     b"",                ALNUM,          (36, 255),  GithubToken,          not_filler),
    p(b"github",  b"pat_",            WORD,           (60, 255),  GithubFineGrainedPat, not_filler),
    p(b"npm",     b"",                ALNUM,          (36, 36),   NpmToken,             not_filler),
    p(b"hf",      b"",                ALNUM,          (34, 40),   HuggingfaceToken,     mixed_case),
    p(b"tk",      b"",                LOWER_ALNUM_SET,(29, 29),   NtfyToken,            digit_and_not_filler),
    p(b"whsec",   b"",                B64,            (24, 256),  WebhookSigningSecret, not_filler),
    p(b"sntryu",  b"",                HEX_LOWER,      (64, 64),   SentryToken,          not_filler),
    p(b"sntrys",  b"",                B64_ANY,        (50, 2048), SentryToken,          base64_json),
    p(b"shpat",   b"",                HEX_ANY,        (32, 32),   ShopifyToken,         not_filler),
    p(b"shpss",   b"",                HEX_ANY,        (32, 32),   ShopifyToken,         not_filler),
    p(b"shpca",   b"",                HEX_ANY,        (32, 32),   ShopifyToken,         not_filler),
    p(b"shppa",   b"",                HEX_ANY,        (32, 32),   ShopifyToken,         not_filler),
    p(b"lin",     b"api_",            ALNUM,          (40, 40),   LinearApiKey,         not_filler),
    p(b"glsa",    b"",                WORD,           (41, 41),   GrafanaToken,         grafana_sa),
    p(b"glc",     b"",                B64_ANY,        (32, 1024), GrafanaToken,         base64_json),
    p(b"dckr",    b"pat_",            B64URL,         (20, 128),  DockerHubToken,       not_filler),
    p(b"dckr",    b"oat_",            B64URL,         (20, 128),  DockerHubToken,       not_filler),
    p(b"sk",      b"live_",           ALNUM,          (16, 255),  StripeSecretKey,      digit_and_not_filler),
    p(b"sk",      b"test_",           ALNUM,          (16, 255),  StripeSecretKey,      digit_and_not_filler),
    p(b"sk",      b"prod_",           ALNUM,          (16, 255),  StripeSecretKey,      digit_and_not_filler),
    p(b"rk",      b"live_",           ALNUM,          (16, 255),  StripeSecretKey,      digit_and_not_filler),
    p(b"rk",      b"test_",           ALNUM,          (16, 255),  StripeSecretKey,      digit_and_not_filler),
    p(b"rk",      b"prod_",           ALNUM,          (16, 255),  StripeSecretKey,      digit_and_not_filler),
    p(b"dop",     b"v1_",             HEX_LOWER,      (64, 64),   DigitaloceanToken,    not_filler),
    p(b"doo",     b"v1_",             HEX_LOWER,      (64, 64),   DigitaloceanToken,    not_filler),
    p(b"dor",     b"v1_",             HEX_LOWER,      (64, 64),   DigitaloceanToken,    not_filler),
];

/// Prefixes ending in `-`. The `sk` entries go from most to least specific:
/// the first whose `rest` matches decides.
#[rustfmt::skip]
const DASH_PREFIXES: &[Prefix] = &[
    p(b"glpat",   b"",                GITLAB,         (20, 320),  GitlabToken,          not_filler),
    p(b"gldt",    b"",                GITLAB,         (20, 320),  GitlabToken,          not_filler),
    p(b"glrt",    b"",                GITLAB,         (20, 320),  GitlabToken,          not_filler),
    p(b"glptt",   b"",                GITLAB,         (20, 320),  GitlabToken,          not_filler),
    p(b"glft",    b"",                GITLAB,         (20, 320),  GitlabToken,          not_filler),
    p(b"glcbt",   b"",                GITLAB,         (20, 320),  GitlabToken,          not_filler),
    p(b"gloas",   b"",                GITLAB,         (20, 320),  GitlabToken,          not_filler),
    p(b"glimt",   b"",                GITLAB,         (20, 320),  GitlabToken,          not_filler),
    p(b"glsoat",  b"",                GITLAB,         (20, 320),  GitlabToken,          not_filler),
    p(b"glagent", b"",                GITLAB,         (20, 320),  GitlabToken,          not_filler),
    p(b"xoxb",    b"",                SLACK,          (20, 300),  SlackToken,           digit_and_not_filler),
    p(b"xoxp",    b"",                SLACK,          (20, 300),  SlackToken,           digit_and_not_filler),
    p(b"xoxa",    b"",                SLACK,          (20, 300),  SlackToken,           digit_and_not_filler),
    p(b"xoxr",    b"",                SLACK,          (20, 300),  SlackToken,           digit_and_not_filler),
    p(b"xoxs",    b"",                SLACK,          (20, 300),  SlackToken,           digit_and_not_filler),
    p(b"xoxe",    b"",                SLACK,          (20, 300),  SlackToken,           digit_and_not_filler),
    p(b"xapp",    b"",                SLACK,          (20, 300),  SlackAppToken,        digit_and_not_filler),
    p(b"sk",      b"ant-api03-",      B64URL,         (80, 512),  AnthropicApiKey,      not_filler),
    p(b"sk",      b"ant-admin01-",    B64URL,         (80, 512),  AnthropicAdminKey,    not_filler),
    p(b"sk",      b"ant-oat01-",      B64URL,         (40, 512),  AnthropicOauthToken,  not_filler),
    p(b"sk",      b"ant-ort01-",      B64URL,         (40, 512),  AnthropicOauthToken,  not_filler),
    p(b"sk",      b"proj-",           B64URL,         (40, 512),  OpenaiApiKey,         not_filler),
    p(b"sk",      b"svcacct-",        B64URL,         (40, 512),  OpenaiApiKey,         not_filler),
    p(b"sk",      b"admin-",          B64URL,         (40, 512),  OpenaiApiKey,         not_filler),
    p(b"sk",      b"",                ALNUM,          (48, 48),   OpenaiApiKey,         openai_legacy),
    p(b"pplx",    b"",                ALNUM,          (48, 48),   PerplexityApiKey,     not_filler),
    p(b"HRKU",    b"",                B64URL,         (40, 128),  HerokuApiKey,         not_filler),
    p(b"AGE",     b"SECRET-KEY-1",    BECH32,         (58, 58),   AgeSecretKey,         not_filler),
    p(b"pypi",    b"AgEIcHlwaS5vcmc", B64URL,         (50, 4096), PypiToken,            not_filler),
];

/// Prefixes ending in `.`.
#[rustfmt::skip]
const DOT_PREFIXES: &[Prefix] = &[
    p(b"ya29",    b"",                B64URL,         (30, 4096), GoogleOauthToken,     not_filler),
    p(b"SG",      b"",                B64URL | DOT,   (60, 80),   SendgridApiKey,       sendgrid),
    p(b"hvs",     b"",                B64URL,         (24, 512),  VaultToken,           not_filler),
    p(b"hvb",     b"",                B64URL,         (24, 512),  VaultToken,           not_filler),
    p(b"hvr",     b"",                B64URL,         (24, 512),  VaultToken,           not_filler),
    p(b"dp",      b"pt.",             ALNUM,          (40, 64),   DopplerToken,         not_filler),
    p(b"dp",      b"st.",             ALNUM,          (40, 64),   DopplerToken,         not_filler),
    p(b"dp",      b"ct.",             ALNUM,          (40, 64),   DopplerToken,         not_filler),
    p(b"dp",      b"sa.",             ALNUM,          (40, 64),   DopplerToken,         not_filler),
    p(b"dp",      b"scim.",           ALNUM,          (40, 64),   DopplerToken,         not_filler),
    p(b"dp",      b"audit.",          ALNUM,          (40, 64),   DopplerToken,         not_filler),
];

/// The prefix table entry, if any, for the word that ends at anchor `i`.
#[inline]
fn prefixed_token(input: &[u8], i: usize, table: &[Prefix], out: &mut Vec<Hit>) -> Option<usize> {
    prefixed_token_from(input, run_start(input, i, ALNUM), i, table, out)
}

/// [`prefixed_token`] when the word start `ws` is known.
#[inline(always)]
fn prefixed_token_from(
    input: &[u8],
    ws: usize,
    i: usize,
    table: &[Prefix],
    out: &mut Vec<Hit>,
) -> Option<usize> {
    if ws == i || i - ws > 7 {
        return None;
    }
    let word = &input[ws..i];
    let entry = table
        .iter()
        .find(|e| e.word == word && starts_with_at(input, i + 1, e.rest))?;
    let body = i + 1 + entry.rest.len();
    let mut end = run_end(input, body, entry.set);
    // A sentence may end right after a token whose alphabet has a dot.
    if entry.set & DOT != 0 {
        while end > body && input[end - 1] == b'.' {
            end -= 1;
        }
    }
    let len = end - body;
    if len < entry.min || len > entry.max || !(entry.check)(&input[body..end]) {
        return None;
    }
    out.push(Hit {
        start: ws,
        end,
        rule: entry.rule,
    });
    Some(end)
}

/// `sk-` + 20 + `T3BlbkFJ` (base64 of "OpenAI") + 20: the pre-2024 key shape.
fn openai_legacy(v: &[u8]) -> bool {
    &v[20..28] == b"T3BlbkFJ"
}

fn mixed_case(v: &[u8]) -> bool {
    let c = classes(v);
    c.lower && c.upper && not_filler(v)
}

fn digit_and_not_filler(v: &[u8]) -> bool {
    v.iter().any(u8::is_ascii_digit) && not_filler(v)
}

/// Sentry org tokens and Grafana Cloud tokens carry base64 JSON.
fn base64_json(v: &[u8]) -> bool {
    v.starts_with(b"eyJ")
}

#[inline(never)]
fn on_underscore(input: &[u8], i: usize, out: &mut Vec<Hit>) -> Option<usize> {
    // `aws configure set aws_secret_access_key <key>`: no operator.
    if i >= 3
        && input[i - 3..i].eq_ignore_ascii_case(b"aws")
        && input.len() > i + 19
        && input[i + 1..i + 19].eq_ignore_ascii_case(b"secret_access_key ")
    {
        let s = run_end(input, i + 19, SPACE);
        let e = run_end(input, s, ALNUM | PLUS_SLASH);
        if e - s == 40 && aws_secret_shape(&input[s..e]) {
            out.push(Hit {
                start: s,
                end: e,
                rule: Rule::AwsSecretAccessKey,
            });
        }
        return None;
    }
    let ws = run_start(input, i, ALNUM);
    if let Some(end) = prefixed_token_from(input, ws, i, UNDERSCORE_PREFIXES, out) {
        return Some(end);
    }
    call_with_quoted_name(input, ws, i, out);
    None
}

/// `define('AUTH_KEY', …)`, `setenv("API_TOKEN", …)`, `[("api_key", …)]`:
/// `sep` is the first `_` of a quoted name (which starts at `s`) that opens
/// a call's arguments. Method calls are found at their `.` ([`on_dot`]).
fn call_with_quoted_name(input: &[u8], s: usize, sep: usize, out: &mut Vec<Hit>) {
    if s == 0 || s == sep || sep - s > 64 || !matches!(input[s - 1], b'"' | b'\'' | b'`') {
        return;
    }
    let Some(q) = quote_len_before(input, s) else {
        return;
    };
    let mut p = s - q;
    while p > 0 && input[p - 1] == b' ' && s - q - p < 8 {
        p -= 1;
    }
    if p > 0 && input[p - 1] == b'(' {
        generic::on_call(input, p - 1, out);
    }
}

/// `glsa_` + 32 alphanumerics + `_` + 8 hex.
fn grafana_sa(v: &[u8]) -> bool {
    v.len() == 41
        && all_in(&v[..32], ALNUM)
        && v[32] == b'_'
        && all_in(&v[33..], HEX_ANY)
        && not_filler(&v[..32])
}

/// `-` also starts PEM armour and command-line flags.
#[inline(never)]
fn on_dash(input: &[u8], i: usize, out: &mut Vec<Hit>) -> Option<usize> {
    if input.get(i + 1) == Some(&b'-') {
        if starts_with_at(input, i, b"-----BEGIN ") {
            return pem::scan(input, i, out);
        }
        if i == 0 || !is(input[i - 1], IDENT) || is_escape_letter_at(input, i - 1) {
            generic::on_long_flag(input, i, out);
        }
        return None;
    }
    if i > 0 && matches!(input[i - 1], b' ' | b'\t') {
        if starts_with_at(input, i, b"-u ") {
            generic::on_curl_user(input, i, i + 3, out);
            return None;
        }
        if starts_with_at(input, i, b"-p ") {
            generic::on_login_password(input, i, i + 3, out);
            return None;
        }
    }
    prefixed_token(input, i, DASH_PREFIXES, out)
}

/// `.` also separates JWT segments.
#[inline(never)]
fn on_dot(input: &[u8], i: usize, out: &mut Vec<Hit>) -> Option<usize> {
    if starts_with_at(input, i + 1, b"ey") {
        if let Some(end) = jwt(input, i, out) {
            return Some(end);
        }
    }
    if let Some(end) = prefixed_token(input, i, DOT_PREFIXES, out) {
        return Some(end);
    }
    // `System.setProperty("DATADOG_TOKEN", "…")`
    if input.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
        let m = run_end(input, i + 1, WORD);
        if input.get(m) == Some(&b'(')
            && matches!(input.get(m + 1), Some(b'"' | b'\'' | b'`' | b'\\' | b' '))
        {
            generic::on_call(input, m, out);
        }
    }
    None
}

/// `SG.` + 22 + `.` + 43, both parts base64url.
fn sendgrid(v: &[u8]) -> bool {
    match v.iter().position(|&b| b == b'.') {
        Some(d) => {
            (16..=32).contains(&d)
                && v.len() - d > 30
                && !v[d + 1..].contains(&b'.')
                && not_filler(&v[..d])
        }
        None => false,
    }
}

/// Header and payload are base64url JSON objects, so both start with `eyJ`
/// / `ey`; `dot` is the first separator.
fn jwt(input: &[u8], dot: usize, out: &mut Vec<Hit>) -> Option<usize> {
    let start = run_start(input, dot, B64URL);
    if dot - start < 10 || !starts_with_at(input, start, b"eyJ") {
        return None;
    }
    let payload_end = run_end(input, dot + 1, B64URL);
    if payload_end - dot - 1 < 10 || input.get(payload_end) != Some(&b'.') {
        return None;
    }
    let end = run_end(input, payload_end + 1, B64URL);
    out.push(Hit {
        start,
        end,
        rule: Rule::Jwt,
    });
    Some(end)
}

#[inline(never)]
fn on_colon(input: &[u8], i: usize, out: &mut Vec<Hit>) -> Option<usize> {
    if ends_with_at(input, i, b"data") {
        return skip_data_uri(input, i);
    }
    if starts_with_at(input, i, b"://") {
        url::scan(input, i, 3, out);
        return Some(i + 3);
    }
    // PHP and some JSON encoders escape slashes: `https:\/\/host\/path`.
    if starts_with_at(input, i, b":\\/\\/") {
        url::scan(input, i, 5, out);
        return Some(i + 5);
    }
    if i > 0 && input[i - 1].is_ascii_digit() && starts_with_at(input, i + 1, b"AA") {
        telegram(input, i, out);
    }
    match (i.checked_sub(1).map(|p| input[p]), input.get(i + 1)) {
        // `::` is a path separator; `:=` is handled at its `=`.
        (Some(b':'), _) | (_, Some(b':')) | (_, Some(b'=')) => None,
        _ => {
            generic::on_operator(input, i, i + 1, Op::Colon, out);
            None
        }
    }
}

#[inline(never)]
fn on_equals(input: &[u8], i: usize, out: &mut Vec<Hit>) -> Option<usize> {
    let prev = i.checked_sub(1).map(|p| input[p]);
    match (prev, input.get(i + 1)) {
        // Comparisons, not assignments.
        (_, Some(b'=')) => Some(i + 2),
        (Some(b'=' | b'!' | b'<' | b'>'), _) => None,
        // `:=`, `::=`, `:::=` (Go, BNF, make), `?=`, `??=` (make, JS),
        // `.=` (PHP): the key is before the whole operator.
        (Some(b':' | b'?' | b'.'), _) => {
            if let Some(op_start) = compound_operator_start(input, i) {
                generic::on_operator(input, op_start, i + 1, Op::Equals, out);
            }
            None
        }
        (_, Some(b'>')) => {
            generic::on_operator(input, i, i + 2, Op::Equals, out);
            None
        }
        _ => {
            generic::on_operator(input, i, i + 1, Op::Equals, out);
            None
        }
    }
}

/// Start of the assignment operator that ends in the `=` at `eq`, when the
/// bytes before it are up to three `:`, up to two `?` or one `.`. A second
/// `.` is a range (`0..=9`), not PHP's `.=`.
fn compound_operator_start(input: &[u8], eq: usize) -> Option<usize> {
    let c = input[eq - 1];
    let max = match c {
        b':' => 3,
        b'?' => 2,
        _ => 1,
    };
    let mut s = eq - 1;
    while s > 0 && input[s - 1] == c && eq - s < max {
        s -= 1;
    }
    (s == 0 || input[s - 1] != c).then_some(s)
}

/// `123456789:AA…`: a numeric bot id, a colon, and about 35 characters that
/// start with `AA`.
fn telegram(input: &[u8], colon: usize, out: &mut Vec<Hit>) {
    let mut start = run_start(input, colon, ALNUM);
    // The Bot API puts it in the path: `api.telegram.org/bot<id>:<secret>/`.
    if starts_with_at(input, start, b"bot") {
        start += 3;
    }
    let id = &input[start..colon];
    if !(8..=10).contains(&id.len()) || !id.iter().all(u8::is_ascii_digit) {
        return;
    }
    let end = run_end(input, colon + 1, B64URL);
    if (30..=40).contains(&(end - colon - 1)) && not_filler(&input[colon + 1..end]) {
        out.push(Hit {
            start,
            end,
            rule: Rule::TelegramBotToken,
        });
    }
}

/// `data:image/png;base64,` is followed by up to megabytes of base64 that can
/// contain any short prefix by chance; skip it whole.
fn skip_data_uri(input: &[u8], colon: usize) -> Option<usize> {
    let head = &input[colon..(colon + 100).min(input.len())];
    let comma = colon + hookwatch_find::find(head, b";base64,")? + 8;
    let n = input.len();
    let mut j = comma;
    while j < n {
        let b = input[j];
        if is(b, B64) || b == b'\n' || b == b'\r' {
            j += 1;
        } else if b == b'\\' && j + 1 < n && matches!(input[j + 1], b'n' | b'r' | b'/') {
            j += 2;
        } else {
            break;
        }
    }
    Some(j)
}

/// Prefixes without a separator, checked only at the start of a word.
#[inline(never)]
fn on_word_start(input: &[u8], i: usize, letter: u8, out: &mut Vec<Hit>) -> Option<usize> {
    let at = |lit: &[u8]| starts_with_at(input, i, lit);
    match letter {
        b'A' => {
            if at(b"AKIA") || at(b"ASIA") || at(b"ABIA") || at(b"ACCA") || at(b"A3T") {
                aws_access_key_id(input, i, out)
            } else if at(b"AIza") {
                let end = run_end(input, i + 4, B64URL);
                (end - i == 39 && not_filler(&input[i + 4..end])).then(|| {
                    out.push(Hit {
                        start: i,
                        end,
                        rule: Rule::GoogleApiKey,
                    });
                    end
                })
            } else {
                None
            }
        }
        b'S' if at(b"SK") => {
            let end = run_end(input, i, ALNUM);
            if end - i == 34
                && all_in(&input[i + 2..end], HEX_ANY)
                && not_filler(&input[i + 2..end])
            {
                out.push(Hit {
                    start: i,
                    end,
                    rule: Rule::TwilioApiKey,
                });
                Some(end)
            } else {
                None
            }
        }
        b'd' if at(b"dapi") => {
            let mut end = run_end(input, i, ALNUM);
            if end - i != 36
                || !all_in(&input[i + 4..end], HEX_LOWER)
                || !not_filler(&input[i + 4..end])
            {
                return None;
            }
            // Newer Databricks tokens carry a `-2`-style suffix.
            if input.get(end) == Some(&b'-') {
                let d = run_end(input, end + 1, ALNUM);
                if d > end + 1 && d - end <= 4 && input[end + 1..d].iter().all(u8::is_ascii_digit) {
                    end = d;
                }
            }
            out.push(Hit {
                start: i,
                end,
                rule: Rule::DatabricksToken,
            });
            Some(end)
        }
        b'b' | b'B'
            if input.len() >= i + 7
                && input[i..i + 6].eq_ignore_ascii_case(b"bearer")
                && input[i + 6] == b' ' =>
        {
            generic::on_bearer(input, i + 6, out);
            None
        }
        _ => None,
    }
}

fn aws_access_key_id(input: &[u8], i: usize, out: &mut Vec<Hit>) -> Option<usize> {
    let end = run_end(input, i, ALNUM);
    if end - i != 20 {
        return None;
    }
    let id = &input[i..end];
    // Real ids are base32 (`[A-Z2-7]`), but fakes in tests and docs often
    // use any digit, and an upper-case word of exactly this shape after
    // this prefix is a key id either way.
    let body = &id[4..];
    let upper_or_digit = |v: &[u8]| {
        v.iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    };
    // AWS documents AKIAIOSFODNN7EXAMPLE; ids ending in EXAMPLE are samples.
    if !upper_or_digit(id) || id.ends_with(b"EXAMPLE") || !not_filler(body) {
        return None;
    }
    out.push(Hit {
        start: i,
        end,
        rule: Rule::AwsAccessKeyId,
    });
    aws_secret_after_id(input, end, out);
    Some(end)
}

/// Credentials files, CSV exports and `id:secret` pairs put the secret access
/// key right after the id, separated by a few punctuation bytes. The key has
/// no prefix, so this adjacency is the only evidence outside a key name.
fn aws_secret_after_id(input: &[u8], id_end: usize, out: &mut Vec<Hit>) {
    let n = input.len();
    let mut j = id_end;
    let limit = (id_end + 12).min(n);
    while j < limit {
        match input[j] {
            b' ' | b'\t' | b'\r' | b'\n' | b',' | b':' | b';' | b'|' | b'=' | b'"' | b'\'' => {
                j += 1
            }
            b'\\' if j + 1 < n && matches!(input[j + 1], b'n' | b't' | b'r' | b'"') => j += 2,
            _ => break,
        }
    }
    if j == id_end {
        return;
    }
    let end = run_end(input, j, ALNUM | PLUS_SLASH);
    if end - j == 40 && input.get(end) != Some(&b'=') && aws_secret_shape(&input[j..end]) {
        out.push(Hit {
            start: j,
            end,
            rule: Rule::AwsSecretAccessKey,
        });
    }
}

/// 40 characters of `[A-Za-z0-9/+]` that look random and are not AWS's
/// documented sample `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`.
pub(crate) fn aws_secret_shape(v: &[u8]) -> bool {
    let c = classes(v);
    v.len() == 40 && all_in(v, ALNUM | PLUS_SLASH) && c.lower && c.upper && c.digit && not_filler(v)
}
