//! What kind of failure a StopFailure `error` value (and, when that value says
//! nothing, its message texts) describes.

use serde::Serialize;

/// What the worker can do about a failed turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Transient on the API side (rate limit, overload, 5xx): the same turn
    /// can be resumed later.
    Retryable,
    /// Only a person can fix it (credentials, billing, account, model access).
    NeedsPerson,
    /// The request itself is wrong; sending it again fails again.
    BadRequest,
    /// The answer was cut at the output-token cap.
    OutputLimited,
    Unknown,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Retryable => "retryable",
            Kind::NeedsPerson => "needs_person",
            Kind::BadRequest => "bad_request",
            Kind::OutputLimited => "output_limited",
            Kind::Unknown => "unknown",
        }
    }

    pub fn retryable(self) -> bool {
        self == Kind::Retryable
    }

    /// How urgent for a person: a retryable limit is a warning (hookwatch
    /// can resume it); anything that needs a person is critical (an
    /// unattended run is stuck until someone acts).
    pub fn severity(self) -> &'static str {
        match self {
            Kind::Retryable => "warning",
            Kind::NeedsPerson => "critical",
            _ => "error",
        }
    }
}

/// The `error` values of Claude Code 2.1.330, as the event model lists
/// them. Anything else is a newer version's value.
pub const KNOWN_ERRORS: &[&str] = hookwatch_event::STOP_FAILURE_ERRORS;

/// Classifies Claude Code's `error` value. Matching is exact: Claude Code
/// sends the enum verbatim, so any other spelling is a value we do not know.
pub fn classify(error_type: &str) -> Kind {
    match error_type {
        "rate_limit" | "overloaded" | "server_error" => Kind::Retryable,
        "authentication_failed"
        | "billing_error"
        | "oauth_org_not_allowed"
        | "account_on_hold"
        | "verification_required"
        | "cloud_credential_error"
        | "model_not_found" => Kind::NeedsPerson,
        "invalid_request" => Kind::BadRequest,
        "max_output_tokens" => Kind::OutputLimited,
        _ => Kind::Unknown,
    }
}

/// Like [`classify`], but an `error` of `unknown` (or a value this version
/// does not know) is decided from the message texts (`error_details`,
/// `last_assistant_message`). Conservative: exactly one kind must be
/// signalled, otherwise the answer stays [`Kind::Unknown`]; a wrong
/// "retryable" would resume a turn that cannot succeed, a wrong "needs
/// person" would page someone for a blip.
pub fn classify_text(error_type: &str, texts: &[&str]) -> Kind {
    let kind = classify(error_type);
    if kind != Kind::Unknown {
        return kind;
    }
    let mut seen = Signals::default();
    for text in texts {
        for part in crate::bounded_parts(text) {
            seen.scan(part);
        }
    }
    seen.verdict()
}

/// Phrases, matched on lowercased text where `_` and `-` became spaces (so
/// `rate_limit_error`, `rate-limited` and "rate limit" are one signal).
const RETRYABLE_PHRASES: &[&str] = &[
    "rate limit",
    "ratelimit",
    "too many requests",
    "usage limit",
    // Claude Code's subscription limits: "5-hour limit reached ∙ resets 3pm",
    // "Weekly limit reached", "You've hit your limit · resets 9pm".
    "hour limit reached",
    "weekly limit reached",
    "hit your limit",
    "overloaded",
    "internal server error",
    "bad gateway",
    "service unavailable",
    "gateway timeout",
    "connection error",
    "econnreset",
    "socket hang up",
];

const NEEDS_PERSON_PHRASES: &[&str] = &[
    "invalid api key",
    "invalid x api key",
    "authentication error",
    "permission error",
    "oauth",
    "please run /login",
    "credit balance is too low",
    "billing",
];

// Claude Code's rendering of these is "Prompt is too long" and "Claude's
// response exceeded the 32000 output token maximum".
const BAD_REQUEST_PHRASES: &[&str] = &["prompt is too long"];
const OUTPUT_LIMITED_PHRASES: &[&str] = &["output token maximum", "max output tokens"];

#[derive(Default)]
struct Signals {
    retryable: bool,
    needs_person: bool,
    bad_request: bool,
    output_limited: bool,
}

impl Signals {
    fn scan(&mut self, text: &str) {
        let norm: String = text
            .chars()
            .map(|c| match c {
                '_' | '-' => ' ',
                c => c.to_ascii_lowercase(),
            })
            .collect();
        let has = |phrases: &[&str]| phrases.iter().any(|p| norm.contains(p));
        self.retryable |= has(RETRYABLE_PHRASES);
        self.needs_person |= has(NEEDS_PERSON_PHRASES);
        self.bad_request |= has(BAD_REQUEST_PHRASES);
        self.output_limited |= has(OUTPUT_LIMITED_PHRASES);
        for code in status_codes(text.as_bytes()) {
            match code {
                429 | 500 | 502 | 503 | 504 | 529 => self.retryable = true,
                401 | 403 => self.needs_person = true,
                _ => {}
            }
        }
    }

    fn verdict(&self) -> Kind {
        let signalled = [
            (self.retryable, Kind::Retryable),
            (self.needs_person, Kind::NeedsPerson),
            (self.bad_request, Kind::BadRequest),
            (self.output_limited, Kind::OutputLimited),
        ];
        let mut hits = signalled.iter().filter(|(on, _)| *on);
        match (hits.next(), hits.next()) {
            (Some((_, kind)), None) => *kind,
            _ => Kind::Unknown,
        }
    }
}

/// Three-digit numbers standing on their own, as HTTP statuses do in
/// "429 {...}", "Request rejected (429)" or `"status":529`. Digits glued to
/// letters (`req_011CU429x`), to a decimal point or a thousands separator
/// (`50,000`, `1.500`) are not statuses.
fn status_codes(b: &[u8]) -> impl Iterator<Item = u16> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() {
            if !b[i].is_ascii_digit() {
                i += 1;
                continue;
            }
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i - start != 3 {
                continue;
            }
            let before_ok = start == 0 || {
                let c = b[start - 1];
                !(c.is_ascii_alphanumeric() || matches!(c, b'.' | b',' | b'_' | b'/'))
            };
            let after_ok = match b.get(i) {
                None => true,
                Some(c) if c.is_ascii_alphanumeric() || *c == b'_' => false,
                Some(b'.' | b',') => !b.get(i + 1).is_some_and(u8::is_ascii_digit),
                Some(_) => true,
            };
            if before_ok && after_ok {
                let code = (b[start] - b'0') as u16 * 100
                    + (b[start + 1] - b'0') as u16 * 10
                    + (b[start + 2] - b'0') as u16;
                return Some(code);
            }
        }
        None
    })
}
