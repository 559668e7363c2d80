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

use crate::anchor::Anchors;
use crate::generic::{self, Op};
use crate::rules::Rule::{self, *};
use crate::shape::*;
use crate::{pem, url, Hit};

/// Collects every candidate secret; overlaps are resolved by the caller.
pub(crate) fn find_all(input: &[u8], out: &mut Vec<Hit>) {
    let mut i = 0;
    let mut anchors = Anchors::new();
    while let Some(at) = anchors.next(input, i) {
        let next = match input[at] {
            b'_' => on_underscore(input, at, out),
            b'-' => on_dash(input, at, out),
            b'.' => on_dot(input, at, out),
            b':' => on_colon(input, at, out),
            b'=' => on_equals(input, at, out),
            b'~' => on_tilde(input, at, out),
            b'0'..=b'9' => on_pipe(input, at + 1, out),
            b'"' | b'\'' => {
                generic::on_list_item(input, at + 1, out);
                None
            }
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
    p(b"sntrys",  b"",                B64_ANY,        (50, 2048), SentryToken,          sentry_org),
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
    p(b"ops",     b"eyJ",             B64,            (200, 4096),OnePasswordToken,     not_filler),
    p(b"pnu",     b"",                ALNUM,          (36, 36),   PrefectApiKey,        not_filler),
    p(b"rdme",    b"",                LOWER_ALNUM_SET,(70, 70),   ReadmeApiKey,         not_filler),
    p(b"rubygems",b"",                HEX_LOWER,      (48, 48),   RubygemsApiKey,       not_filler),
    p(b"pscale",  b"tkn_",            PSCALE,         (32, 64),   PlanetscaleToken,     not_filler),
    p(b"pscale",  b"oauth_",          PSCALE,         (32, 64),   PlanetscaleToken,     not_filler),
    p(b"pscale",  b"pw_",             PSCALE,         (32, 64),   PlanetscaleToken,     not_filler),
    p(b"shippo",  b"live_",           HEX_ANY,        (40, 40),   ShippoApiKey,         not_filler),
    p(b"shippo",  b"test_",           HEX_ANY,        (40, 40),   ShippoApiKey,         not_filler),
    p(b"sm",      b"aat_",            ALNUM,          (16, 16),   SettlemintToken,      digit_and_not_filler),
    p(b"sm",      b"pat_",            ALNUM,          (16, 16),   SettlemintToken,      digit_and_not_filler),
    p(b"sm",      b"sat_",            ALNUM,          (16, 16),   SettlemintToken,      digit_and_not_filler),
    p(b"ntn",     b"",                ALNUM,          (46, 46),   NotionApiKey,         notion),
    p(b"api",     b"org_",            ALNUM,          (34, 34),   HuggingfaceToken,     mixed_case),
    p(b"sgp",     b"",                WORD,           (40, 57),   SourcegraphToken,     sourcegraph),
    p(b"CLOJARS", b"",                ALNUM,          (60, 60),   ClojarsToken,         not_filler),
    p(b"duffel",  b"test_",           DUFFEL,         (43, 43),   DuffelApiKey,         not_filler),
    p(b"duffel",  b"live_",           DUFFEL,         (43, 43),   DuffelApiKey,         not_filler),
    p(b"fo1",     b"",                B64URL,         (43, 43),   FlyioToken,           not_filler),
    p(b"fm1a",    b"",                B64,            (100, 4096),FlyioToken,           not_filler),
    p(b"fm1r",    b"",                B64,            (100, 4096),FlyioToken,           not_filler),
    p(b"fm2",     b"",                B64,            (100, 4096),FlyioToken,           not_filler),
    p(b"FLWSECK", b"TEST-",           ALNUM | DASH,   (12, 34),   FlutterwaveKey,       flutterwave),
    p(b"FLWPUBK", b"TEST-",           ALNUM | DASH,   (34, 34),   FlutterwaveKey,       flutterwave),
    p(b"sbp",     b"",                HEX_LOWER,      (40, 40),   SupabaseToken,        not_filler),
    p(b"sb",      b"secret_",         B64URL,         (24, 64),   SupabaseToken,        digit_and_not_filler),
    p(b"gsk",     b"",                ALNUM,          (52, 52),   GroqApiKey,           not_filler),
    p(b"r8",      b"",                ALNUM,          (37, 37),   ReplicateToken,       digit_and_not_filler),
    p(b"lsv2",    b"pt_",             WORD,           (43, 43),   LangsmithApiKey,      langsmith),
    p(b"lsv2",    b"sk_",             WORD,           (43, 43),   LangsmithApiKey,      langsmith),
    p(b"pcsk",    b"",                WORD,           (60, 90),   PineconeApiKey,       digit_and_not_filler),
    p(b"napi",    b"",                LOWER_ALNUM_SET,(64, 64),   NeonApiKey,           not_filler),
    p(b"re",      b"",                WORD,           (33, 33),   ResendApiKey,         resend),
    p(b"figd",    b"",                B64URL,         (40, 48),   FigmaToken,           digit_and_not_filler),
    p(b"nfp",     b"",                ALNUM,          (36, 40),   NetlifyToken,         digit_and_not_filler),
    p(b"bkua",    b"",                HEX_LOWER,      (40, 40),   BuildkiteToken,       not_filler),
    p(b"CCIPAT",  b"",                WORD,           (60, 70),   CircleciToken,        digit_and_not_filler),
    p(b"rnd",     b"",                ALNUM,          (32, 32),   RenderApiKey,         digit_and_not_filler),
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
    p(b"xoxb",    b"",                SLACK,          (20, 300),  SlackToken,           slack),
    p(b"xoxp",    b"",                SLACK,          (20, 300),  SlackToken,           slack),
    // Legacy workspace tokens were short: `xoxa-2-` + 8 or more.
    p(b"xoxa",    b"",                SLACK,          (10, 300),  SlackToken,           slack_legacy),
    p(b"xoxr",    b"",                SLACK,          (10, 300),  SlackToken,           slack_legacy),
    p(b"xoxs",    b"",                SLACK,          (20, 300),  SlackToken,           slack),
    p(b"xoxe",    b"",                SLACK,          (20, 300),  SlackToken,           slack),
    p(b"xapp",    b"",                SLACK,          (20, 300),  SlackAppToken,        digit_and_not_filler),
    p(b"sk",      b"ant-api03-",      B64URL,         (80, 512),  AnthropicApiKey,      anthropic),
    p(b"sk",      b"ant-admin01-",    B64URL,         (80, 512),  AnthropicAdminKey,    anthropic),
    p(b"sk",      b"ant-oat01-",      B64URL,         (40, 512),  AnthropicOauthToken,  not_filler),
    p(b"sk",      b"ant-ort01-",      B64URL,         (40, 512),  AnthropicOauthToken,  not_filler),
    p(b"sk",      b"proj-",           B64URL,         (40, 512),  OpenaiApiKey,         not_filler),
    p(b"sk",      b"svcacct-",        B64URL,         (40, 512),  OpenaiApiKey,         not_filler),
    p(b"sk",      b"admin-",          B64URL,         (40, 512),  OpenaiApiKey,         not_filler),
    p(b"sk",      b"or-v1-",          HEX_LOWER,      (64, 64),   OpenrouterApiKey,     not_filler),
    p(b"sk",      b"",                ALNUM,          (48, 48),   OpenaiApiKey,         openai_legacy),
    p(b"pplx",    b"",                ALNUM,          (48, 48),   PerplexityApiKey,     not_filler),
    p(b"HRKU",    b"",                B64URL,         (40, 128),  HerokuApiKey,         not_filler),
    p(b"AGE",     b"SECRET-KEY-1",    BECH32,         (58, 58),   AgeSecretKey,         shape_says_all),
    p(b"pypi",    b"AgEIcHlwaS5vcmc", B64URL,         (50, 4096), PypiToken,            not_filler),
    p(b"pypi",    b"AgENdGVzdC5weXBpLm9yZw", B64URL,  (50, 4096), PypiToken,            not_filler),
    p(b"glffct",  b"",                GITLAB,         (20, 320),  GitlabToken,          not_filler),
    p(b"key",     b"",                HEX_LOWER,      (32, 32),   MailgunApiKey,        not_filler),
    p(b"pubkey",  b"",                HEX_LOWER,      (32, 32),   MailgunApiKey,        not_filler),
    p(b"NRAK",    b"",                ALNUM,          (27, 27),   NewRelicKey,          digit_and_not_filler),
    p(b"NRJS",    b"",                HEX_ANY,        (19, 19),   NewRelicKey,          not_filler),
    p(b"NRII",    b"",                B64URL,         (32, 32),   NewRelicKey,          digit_and_not_filler),
    p(b"xai",     b"",                ALNUM,          (80, 80),   XaiApiKey,            not_filler),
    p(b"tvly",    b"",                B64URL,         (32, 40),   TavilyApiKey,         digit_and_not_filler),
    p(b"xkeysib", b"",                ALNUM | DASH,   (81, 81),   SendinblueApiKey,     sendinblue),
    p(b"PMAK",    b"",                ALNUM | DASH,   (59, 59),   PostmanApiKey,        postman),
    p(b"pul",     b"",                HEX_LOWER,      (40, 40),   PulumiToken,          not_filler),
    p(b"ico",     b"",                ALNUM,          (32, 32),   InfracostApiKey,      not_filler),
    p(b"fio",     b"u-",              DUFFEL,         (64, 64),   FrameioToken,         not_filler),
    p(b"p8e",     b"",                ALNUM,          (32, 32),   AdobeClientSecret,    not_filler),
    p(b"tk",      b"us-",             B64URL,         (48, 48),   ScalingoToken,        not_filler),
    p(b"sq0atp",  b"",                B64URL,         (22, 60),   SquareToken,          not_filler),
    p(b"sq0csp",  b"",                B64URL,         (22, 60),   SquareToken,          not_filler),
    p(b"FLWSECK", b"",                ALNUM | DASH,   (34, 34),   FlutterwaveKey,       flutterwave),
    p(b"FLWPUBK", b"",                ALNUM | DASH,   (34, 34),   FlutterwaveKey,       flutterwave),
    p(b"s",       b"s4t2ud-",         HEX_ANY,        (64, 64),   Intra42Secret,        not_filler),
    p(b"s",       b"s4t2af-",         HEX_ANY,        (64, 64),   Intra42Secret,        not_filler),
    p(b"bedrock", b"api-key-",        B64,            (28, 4096), AwsBedrockApiKey,     bedrock_short),
    p(b"A3",      b"",                ALNUM | DASH,   (36, 37),   OnePasswordToken,     onepassword_secret_key),
];

/// Prefixes ending in `.`.
#[rustfmt::skip]
const DOT_PREFIXES: &[Prefix] = &[
    p(b"ya29",    b"",                B64URL,         (30, 4096), GoogleOauthToken,     not_filler),
    p(b"SG",      b"",                B64URL | DOT | EQUALS, (60, 80), SendgridApiKey, sendgrid),
    p(b"hvs",     b"",                B64URL,         (24, 512),  VaultToken,           not_filler),
    p(b"hvb",     b"",                B64URL,         (24, 512),  VaultToken,           not_filler),
    p(b"hvr",     b"",                B64URL,         (24, 512),  VaultToken,           not_filler),
    p(b"dp",      b"pt.",             ALNUM,          (40, 64),   DopplerToken,         not_filler),
    p(b"dp",      b"st.",             ALNUM,          (40, 64),   DopplerToken,         not_filler),
    p(b"dp",      b"ct.",             ALNUM,          (40, 64),   DopplerToken,         not_filler),
    p(b"dp",      b"sa.",             ALNUM,          (40, 64),   DopplerToken,         not_filler),
    p(b"dp",      b"scim.",           ALNUM,          (40, 64),   DopplerToken,         not_filler),
    p(b"dp",      b"audit.",          ALNUM,          (40, 64),   DopplerToken,         not_filler),
    p(b"dt0c01",  b"",                ALNUM | DOT,    (89, 89),   DynatraceToken,       dynatrace),
    p(b"sk",      b"eyJ",             B64URL | DOT,   (60, 400),  MapboxSecretToken,    mapbox),
    p(b"v1",      b"0-",              HEX_LOWER | DASH,(171, 171),CloudflareOriginCaKey,cloudflare_origin),
    p(b"pat",     b"",                B64URL | DOT,   (68, 68),   HarnessApiKey,        harness),
    p(b"sat",     b"",                B64URL | DOT,   (68, 68),   HarnessApiKey,        harness),
];

/// A prefix table and, per word length, which first bytes its words have.
struct Table {
    entries: &'static [Prefix],
    first: [u128; 9],
}

const fn table(entries: &'static [Prefix]) -> Table {
    let mut first = [0u128; 9];
    let mut k = 0;
    while k < entries.len() {
        let w = entries[k].word;
        first[w.len()] |= 1u128 << w[0];
        k += 1;
    }
    Table { entries, first }
}

static UNDERSCORE_TABLE: Table = table(UNDERSCORE_PREFIXES);
static DASH_TABLE: Table = table(DASH_PREFIXES);
static DOT_TABLE: Table = table(DOT_PREFIXES);

/// The prefix table entry, if any, for the word that ends at anchor `i`.
#[inline]
fn prefixed_token(input: &[u8], i: usize, table: &Table, out: &mut Vec<Hit>) -> Option<usize> {
    prefixed_token_from(input, run_start(input, i, ALNUM), i, table, out)
}

/// [`prefixed_token`] when the word start `ws` is known.
#[inline(always)]
fn prefixed_token_from(
    input: &[u8],
    ws: usize,
    i: usize,
    table: &Table,
    out: &mut Vec<Hit>,
) -> Option<usize> {
    if ws == i || i - ws > 8 {
        return None;
    }
    let word = &input[ws..i];
    // Nearly every anchor in code and logs ends a word no prefix has: one
    // bit says so before the table is walked.
    if word[0] >= 128 || table.first[word.len()] & (1u128 << word[0]) == 0 {
        return None;
    }
    // `video_box.ico-7a38….png`: a short prefix after a dot is a file name.
    if word.len() <= 3 && ws > 0 && input[ws - 1] == b'.' {
        return None;
    }
    let entry = table
        .entries
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

/// `lsv2_pt_` / `lsv2_sk_` + 32 hex + `_` + 10 hex.
fn langsmith(v: &[u8]) -> bool {
    v[32] == b'_'
        && all_in(&v[..32], HEX_LOWER)
        && all_in(&v[33..], HEX_LOWER)
        && not_filler(&v[..32])
}

/// `re_` + 8 + `_` + 24 alphanumerics.
fn resend(v: &[u8]) -> bool {
    v[8] == b'_'
        && all_in(&v[..8], ALNUM)
        && all_in(&v[9..], ALNUM)
        && digit_and_not_filler(&v[9..])
        && mixed_case(&v[9..])
}

/// Base64 JSON and a signature: `sk.eyJ…` + `.` + 22.
fn mapbox(v: &[u8]) -> bool {
    v.iter().filter(|&&b| b == b'.').count() == 1 && not_filler(v)
}

/// A prefix as long and an alphabet as narrow as age's (16 bytes, 58 of
/// bech32) say all there is: even a filled-in sample is key-shaped.
fn shape_says_all(_: &[u8]) -> bool {
    true
}

/// PlanetScale tokens: `\w`, `=`, `.`, `-`.
const PSCALE: u16 = WORD | EQUALS | DOT | DASH;
/// Duffel and Frame.io tokens: `\w`, `-`, `=`.
const DUFFEL: u16 = WORD | DASH | EQUALS;

/// `ntn_` + 11 digits + 35 alphanumerics.
fn notion(v: &[u8]) -> bool {
    v[..11].iter().all(u8::is_ascii_digit) && not_filler(&v[11..])
}

/// `sgp_` + 40 hex, or + 16 hex or `local`, `_`, 40 hex.
fn sourcegraph(v: &[u8]) -> bool {
    // A real token's 40 hex digits carry about 3.9 bits each; typed ones
    // (`5555555dAAAAA7777777…`) under 3.
    let hex40 =
        |t: &[u8]| t.len() == 40 && all_in(t, HEX_ANY) && not_filler(t) && entropy(t) >= 3.0;
    match v.iter().position(|&b| b == b'_') {
        None => hex40(v),
        Some(u) => {
            let head = &v[..u];
            (head == b"local" || (head.len() == 16 && all_in(head, HEX_ANY))) && hex40(&v[u + 1..])
        }
    }
}

/// 32 of `[a-h0-9]` (any case) + `-X`, or 12 for an encryption key.
fn flutterwave(v: &[u8]) -> bool {
    let body = match v.len() {
        12 => v,
        34 if v.ends_with(b"-X") => &v[..32],
        _ => return false,
    };
    body.iter()
        .all(|b| matches!(b | 0x20, b'a'..=b'h' | b'0'..=b'9'))
        && not_filler(body)
}

/// 64 hex, `-`, 16 alphanumerics.
fn sendinblue(v: &[u8]) -> bool {
    v[64] == b'-' && all_in(&v[..64], HEX_ANY) && all_in(&v[65..], ALNUM) && not_filler(&v[..64])
}

/// 24 hex, `-`, 34 hex.
fn postman(v: &[u8]) -> bool {
    v[24] == b'-' && all_in(&v[..24], HEX_ANY) && all_in(&v[25..], HEX_ANY) && not_filler(v)
}

/// The base64 of `bedrock.amazonaws.com` that every short-lived key starts with.
fn bedrock_short(v: &[u8]) -> bool {
    v.starts_with(b"YmVkcm9jay5hbWF6b25hd3MuY29t")
}

/// `A3-` + 6, then 11 or 6-5, then three groups of 5: upper case and digits.
fn onepassword_secret_key(v: &[u8]) -> bool {
    let mut groups = [0usize; 6];
    let mut n = 0;
    for part in v.split(|&b| b == b'-') {
        if n == groups.len() {
            return false;
        }
        groups[n] = part.len();
        n += 1;
    }
    let shape = matches!(&groups[..n], [6, 11, 5, 5, 5] | [6, 6, 5, 5, 5, 5]);
    shape
        && v.iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'-')
        && not_filler(v)
}

/// `dt0c01.` + 24 + `.` + 64 alphanumerics.
fn dynatrace(v: &[u8]) -> bool {
    v[24] == b'.' && all_in(&v[..24], ALNUM) && all_in(&v[25..], ALNUM) && not_filler(&v[25..])
}

/// `v1.0-` + 24 hex + `-` + 146 hex.
fn cloudflare_origin(v: &[u8]) -> bool {
    v[24] == b'-'
        && all_in(&v[..24], HEX_LOWER)
        && all_in(&v[25..], HEX_LOWER)
        && not_filler(&v[25..])
}

/// `pat.` / `sat.` + 22 `[\w-]` + `.` + 24 + `.` + 20 alphanumerics.
fn harness(v: &[u8]) -> bool {
    v[22] == b'.'
        && v[47] == b'.'
        && all_in(&v[..22], B64URL)
        && all_in(&v[23..47], ALNUM)
        && all_in(&v[48..], ALNUM)
        && not_filler(&v[23..47])
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
    v.iter().any(u8::is_ascii_digit) && not_filler(v) && !words_tail(v)
}

/// Slack tokens never end in their separator: `xoxp-…-` is followed by a
/// mask (`-####…`).
fn slack(v: &[u8]) -> bool {
    digit_and_not_filler(v) && !v.ends_with(b"-")
}

/// `xoxp-1-SlackAppConfigurationAccessTokenHere`: the part after the last
/// digit group reads as words.
fn words_tail(v: &[u8]) -> bool {
    let tail = v.rsplit(|&b| b == b'-').next().unwrap_or(v);
    tail.len() >= 16 && is_wordish(tail)
}

/// Grafana Cloud tokens carry base64 JSON.
fn base64_json(v: &[u8]) -> bool {
    v.starts_with(b"eyJ")
}

/// `sntrys_`, the base64 of `{"iat":…,"url":…,"region_url":…,"org":…}`,
/// `_` and 43 base64 characters of secret (Sentry's RFC 0091 and
/// sentry-cli's parser): a run that lacks the claims or has a secret of
/// another length is not a token.
fn sentry_org(v: &[u8]) -> bool {
    let Some(u) = v.iter().rposition(|&b| b == b'_') else {
        return false;
    };
    let (claims, secret) = (&v[..u], &v[u + 1..]);
    let region = [
        &b"LCJyZWdpb25fdXJs"[..],
        b"InJlZ2lvbl91cmwi",
        b"cmVnaW9uX3VybCI6",
    ];
    claims.starts_with(b"eyJpYXQiO")
        && region.iter().any(|r| contains(claims, r))
        && secret.len() == 43
        && all_in(secret, ALNUM | PLUS_SLASH)
        && not_filler(secret)
}

/// Anthropic keys: any that is not a mask, and a full-length one (95
/// characters ending in `AA`) even when it reads as typed by hand
/// (`abc123xyz-456def…`): documentation samples of the exact length are
/// indistinguishable from a key someone edited, and redacting one costs
/// nothing.
fn anthropic(v: &[u8]) -> bool {
    not_filler(v) || (v.len() == 95 && v.ends_with(b"AA") && not_masked(v))
}

/// `xoxa-2-…`, `xoxr-…`: a digit, not a mask, not words.
fn slack_legacy(v: &[u8]) -> bool {
    v.len() >= 10 && slack(v)
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
    if let Some(end) = prefixed_token_from(input, ws, i, &UNDERSCORE_TABLE, out) {
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
            return None;
        }
        // `sq0atp--…`: a prefix whose token starts with `-`.
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
        if matches!(input.get(i + 1), Some(b'p' | b'a')) {
            generic::on_client_password(input, i, out);
            return None;
        }
    }
    if ends_with_at(input, i, b"PuTTY") {
        return pem::putty(input, i, out);
    }
    // Mailchimp: 32 hex, `-us`, the data centre's number.
    if i >= 32 && starts_with_at(input, i + 1, b"us") {
        let ws = run_start(input, i, ALNUM);
        let dc = run_end(input, i + 3, ALNUM);
        if i - ws == 32
            && all_in(&input[ws..i], HEX_LOWER)
            && (1..=2).contains(&(dc - i - 3))
            && input[i + 3..dc].iter().all(u8::is_ascii_digit)
            && not_filler(&input[ws..i])
        {
            return push(out, ws, dc, Rule::MailchimpApiKey);
        }
    }
    prefixed_token(input, i, &DASH_TABLE, out)
}

/// `.` also separates JWT segments.
#[inline(never)]
fn on_dot(input: &[u8], i: usize, out: &mut Vec<Hit>) -> Option<usize> {
    if starts_with_at(input, i + 1, b"ey") {
        if let Some(end) = jwt(input, i, out) {
            return Some(end);
        }
    }
    let ws = run_start(input, i, ALNUM);
    if (23..=28).contains(&(i - ws)) && matches!(input[ws], b'M' | b'N' | b'O') {
        if let Some(end) = discord_bot_token(input, ws, i) {
            return push(out, ws, end, Rule::DiscordBotToken);
        }
    }
    if ends_with_at(input, ws, b"machine ") || ends_with_at(input, ws, b"machine\t") {
        generic::on_netrc_host(input, i, out);
    }
    // Words longer than a prefix: `pat<14>.<64 hex>`, `<14>.atlasv1.<60-70>`.
    if i - ws == 17 && starts_with_at(input, ws, b"pat") {
        let end = run_end(input, i + 1, ALNUM);
        if end - i - 1 == 64
            && all_in(&input[i + 1..end], HEX_LOWER)
            && not_filler(&input[i + 1..end])
        {
            return push(out, ws, end, Rule::AirtableToken);
        }
    }
    if i - ws == 14 && starts_with_at(input, i + 1, b"atlasv1.") {
        let body = i + 9;
        let end = run_end(input, body, LOWER_ALNUM | DASH | UNDERSCORE | EQUALS);
        if (60..=70).contains(&(end - body)) && not_filler(&input[body..end]) {
            return push(out, ws, end, Rule::TerraformCloudToken);
        }
    }
    // A Slack webhook quoted without its scheme.
    if i - ws == 5
        && starts_with_at(input, ws, b"hooks")
        && starts_with_at(input, i + 1, b"slack.com/")
    {
        url::webhook(input, b"hooks.slack.com", i + 10, out);
        return None;
    }
    if let Some(end) = prefixed_token_from(input, ws, i, &DOT_TABLE, out) {
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

/// `<user id in base64>.<6>.<27+>`: the id is 17-20 digits, so its base64
/// starts with `M`, `N` or `O` and runs 23-28 characters.
fn discord_bot_token(input: &[u8], ws: usize, dot: usize) -> Option<usize> {
    let t_end = run_end(input, dot + 1, B64URL);
    if t_end - dot - 1 != 6 || input.get(t_end) != Some(&b'.') {
        return None;
    }
    let end = run_end(input, t_end + 1, B64URL);
    ((27..=38).contains(&(end - t_end - 1))
        && not_filler(&input[t_end + 1..end])
        && !has_no_letter(&input[ws..dot]))
    .then_some(end)
}

fn push(out: &mut Vec<Hit>, start: usize, end: usize, rule: Rule) -> Option<usize> {
    out.push(Hit { start, end, rule });
    Some(end)
}

/// A Facebook app access token, `<app id>|<app secret>`: 15 or 16 digits,
/// `|`, 27-40 characters. Pipes in shell and tables have blanks around
/// them, so the digit before is the first test.
#[inline(never)]
fn on_pipe(input: &[u8], i: usize, out: &mut Vec<Hit>) -> Option<usize> {
    if i < 15 || !input[i - 1].is_ascii_digit() {
        return None;
    }
    let mut s = i;
    while s > 0 && input[s - 1].is_ascii_digit() && i - s <= 16 {
        s -= 1;
    }
    let end = run_end(input, i + 1, B64URL);
    let secret = &input[i + 1..end];
    ((15..=16).contains(&(i - s))
        && left_boundary(input, s)
        && (27..=40).contains(&secret.len())
        && not_filler(secret)
        && classes(secret).count() >= 2)
        .then(|| push(out, s, end, Rule::FacebookAccessToken))
        .flatten()
}

/// `sha256~` of OpenShift tokens, and the `<digit>Q~` inside Entra ID
/// (Azure AD) client secrets.
#[inline(never)]
fn on_tilde(input: &[u8], i: usize, out: &mut Vec<Hit>) -> Option<usize> {
    if i >= 6 && ends_with_at(input, i, b"sha256") && left_boundary(input, i - 6) {
        let end = run_end(input, i + 1, B64URL);
        if end - i - 1 == 43 && not_filler(&input[i + 1..end]) {
            return push(out, i - 6, end, Rule::OpenshiftToken);
        }
        return None;
    }
    const AZURE: u16 = ALNUM | UNDERSCORE | TILDE | DOT;
    if i >= 5 && input[i - 1] == b'Q' && input[i - 2].is_ascii_digit() {
        let start = i - 5;
        if !all_in(&input[start..i - 2], AZURE) || !left_boundary(input, start) {
            return None;
        }
        let end = run_end(input, i + 1, AZURE | DASH);
        let rest = &input[i + 1..end];
        if (31..=34).contains(&rest.len()) && not_filler(rest) && classes(rest).count() >= 2 {
            return push(out, start, end, Rule::AzureAdClientSecret);
        }
    }
    None
}

/// `SG.` + 22 + `.` + 43, both parts base64url; or 66 characters of that
/// alphabet and `=` without the inner dot (gitleaks' shape).
fn sendgrid(v: &[u8]) -> bool {
    match v.iter().position(|&b| b == b'.') {
        Some(d) => {
            (16..=32).contains(&d)
                && v.len() - d > 30
                && !v[d + 1..].contains(&b'.')
                && not_filler(&v[..d])
        }
        None => v.len() == 66 && not_filler(v),
    }
}

/// Header and payload are base64url JSON objects, so both start with `eyJ`
/// / `ey`; `dot` is the first separator. A header of 10+ characters after
/// `eyJ`, or 19+ after a bare `ey` (gitleaks' shape); some encoders leave
/// `/` and `\` in the later parts.
fn jwt(input: &[u8], dot: usize, out: &mut Vec<Hit>) -> Option<usize> {
    const PART: u16 = B64URL | PLUS_SLASH;
    let start = run_start(input, dot, B64URL);
    let header_ok = if starts_with_at(input, start, b"eyJ") {
        dot - start >= 10
    } else {
        starts_with_at(input, start, b"ey")
            && dot - start >= 19
            && all_in(&input[start..dot], ALNUM)
    };
    if !header_ok {
        return None;
    }
    let payload_end = run_end(input, dot + 1, PART);
    if payload_end - dot - 1 < 10 {
        return None;
    }
    // An unsigned token (`alg: none`) is header.payload: both parts base64
    // JSON, the payload at least as long as a claim.
    let end = if input.get(payload_end) == Some(&b'.') {
        run_end(input, payload_end + 1, PART)
    } else if starts_with_at(input, dot + 1, b"eyJ") && payload_end - dot > 20 {
        payload_end
    } else {
        return None;
    };
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
        if let Some(end) = skip_data_uri(input, i) {
            return Some(end);
        }
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
    if i > 0 && input[i - 1].is_ascii_digit() && input.get(i + 1) == Some(&b'A') {
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
    if ends_with_at(input, i, b"_gitlab_session") {
        let end = run_end(input, i + 1, LOWER_ALNUM);
        if end - i - 1 == 32 && not_filler(&input[i + 1..end]) {
            return push(out, i + 1, end, Rule::GitlabSessionCookie);
        }
    }
    let prev = i.checked_sub(1).map(|p| input[p]);
    match (prev, input.get(i + 1)) {
        // Comparisons, not assignments; but `TOKEN===<literal>` with no
        // blanks compares with a secret written out (config files that
        // mean `=` write it so too).
        (_, Some(b'=')) => {
            let run = run_end(input, i, EQUALS) - i;
            let glued = prev.is_some_and(|b| is(b, IDENT))
                && input
                    .get(i + run)
                    .is_some_and(|&b| b > b' ' && !is_value_stop(b));
            if run <= 3 && glued {
                generic::on_operator(input, i, i + run, Op::Equals, out);
            }
            Some(i + run)
        }
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
/// start with `A` (`AA` in every token seen; gitleaks asks only for `A`).
fn telegram(input: &[u8], colon: usize, out: &mut Vec<Hit>) {
    let mut start = run_start(input, colon, ALNUM);
    // The Bot API puts it in the path: `api.telegram.org/bot<id>:<secret>/`.
    if starts_with_at(input, start, b"bot") {
        start += 3;
    }
    let id = &input[start..colon];
    if !(5..=16).contains(&id.len()) || !id.iter().all(u8::is_ascii_digit) {
        return;
    }
    let end = run_end(input, colon + 1, B64URL);
    let secret = &input[colon + 1..end];
    let shaped = (30..=40).contains(&secret.len()) && (secret[1] == b'A' || secret.len() == 35);
    if shaped && not_filler(secret) && !has_no_letter(&secret[1..]) {
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
                (end - i == 39
                    && not_filler(&input[i + 4..end])
                    && !KNOWN_PUBLIC_GOOGLE_KEYS.contains(&&input[i..end]))
                .then(|| {
                    out.push(Hit {
                        start: i,
                        end,
                        rule: Rule::GoogleApiKey,
                    });
                    end
                })
            } else if at(b"ATATT3") {
                let end = run_end(input, i, B64URL | EQUALS);
                ((150..=260).contains(&(end - i)) && not_filler(&input[i + 6..end]))
                    .then(|| push(out, i, end, Rule::AtlassianToken))
                    .flatten()
            } else if at(b"ATBB") {
                let end = run_end(input, i, ALNUM);
                (end - i == 36
                    && not_filler(&input[i + 4..end])
                    && classes(&input[i + 4..end]).count() >= 2)
                    .then(|| push(out, i, end, Rule::BitbucketAppPassword))
                    .flatten()
            } else if at(b"ABSK") {
                // Amazon Bedrock long-lived key: base64 of `BedrockAPIKey-…`.
                // The encoded `BedrockAPIKey-` is proof enough: AWS's own
                // `…EXAMPLE…` samples have the shape of a key and go too.
                let end = run_end(input, i + 4, B64);
                let body = &input[i + 4..end];
                ((109..=271).contains(&body.len())
                    && (body.starts_with(b"QmVkcm9ja0FQSUtleS") || not_filler(body)))
                .then(|| push(out, i, end, Rule::AwsBedrockApiKey))
                .flatten()
            } else {
                None
            }
        }
        b'L' if at(b"LTAI") => {
            let end = run_end(input, i, ALNUM);
            (end - i == 24 && not_filler(&input[i + 4..end]))
                .then(|| push(out, i, end, Rule::AlibabaAccessKeyId))
                .flatten()
        }
        b'E' if at(b"EZAK") || at(b"EZTK") => {
            let end = run_end(input, i, ALNUM);
            (end - i == 58 && not_filler(&input[i + 4..end]))
                .then(|| push(out, i, end, Rule::EasypostApiKey))
                .flatten()
        }
        b'E' if at(b"EAAM") || at(b"EAAC") => {
            let end = run_end(input, i, ALNUM);
            (end - i >= 104 && end - i <= 1024 && not_filler(&input[i + 4..end]))
                .then(|| push(out, i, end, Rule::FacebookAccessToken))
                .flatten()
        }
        b'E' if at(b"EAAA") => {
            let end = run_end(input, i, B64URL);
            ((26..=64).contains(&(end - i)) && not_filler(&input[i + 4..end]))
                .then(|| push(out, i, end, Rule::SquareToken))
                .flatten()
        }
        // A JWT encoded once more in base64 (`eyJ` → `ZXlK`).
        b'Z' if at(b"ZXlK") => {
            let end = run_end(input, i, B64);
            (end - i >= 60 && end - i <= 8192 && not_filler(&input[i..end]))
                .then(|| push(out, i, end, Rule::Jwt))
                .flatten()
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

/// Browser keys that Google's and Firebase's own sample apps and SDKs ship in
/// public source (gitleaks' allowlist for the same rule): not secrets, and
/// common in the output of builds that vendor those samples.
const KNOWN_PUBLIC_GOOGLE_KEYS: &[&[u8]] = &[
    b"AIzaSyabcdefghijklmnopqrstuvwxyz1234567",
    b"AIzaSyAnLA7NfeLquW1tJFpx_eQCxoX-oo6YyIs",
    b"AIzaSyCkEhVjf3pduRDt6d1yKOMitrUEke8agEM",
    b"AIzaSyDMAScliyLx7F0NPDEJi1QmyCgHIAODrlU",
    b"AIzaSyD3asb-2pEZVqMkmL6M9N6nHZRR_znhrh0",
    b"AIzayDNSXIbFmlXbIE6mCzDLQAqITYefhixbX4A",
    b"AIzaSyAdOS2zB6NCsk1pCdZ4-P6GBdi_UUPwX7c",
    b"AIzaSyASWm6HmTMdYWpgMnjRBjxcQ9CKctWmLd4",
    b"AIzaSyANUvH9H9BsUccjsu2pCmEkOPjjaXeDQgY",
    b"AIzaSyA5_iVawFQ8ABuTZNUdcwERLJv_a_p4wtM",
    b"AIzaSyA4UrcGxgwQFTfaI3no3t7Lt1sjmdnP5sQ",
    b"AIzaSyDSb51JiIcB6OJpwwMicseKRhhrOq1cS7g",
    b"AIzaSyBF2RrAIm4a0mO64EShQfqfd2AFnzAvvuU",
    b"AIzaSyBcE-OOIbhjyR83gm4r2MFCu4MJmprNXsw",
    b"AIzaSyB8qGxt4ec15vitgn44duC5ucxaOi4FmqE",
    b"AIzaSyA8vmApnrHNFE0bApF4hoZ11srVL_n0nvY",
];

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
