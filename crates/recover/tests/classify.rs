//! `classify` over the whole `error` enum, and `classify_text` on the texts
//! Claude Code and the API actually produce.

use hookwatch_recover::{classify, classify_text, Kind, KNOWN_ERRORS};

#[test]
fn every_known_error_has_its_kind() {
    let expected = [
        ("authentication_failed", Kind::NeedsPerson),
        ("oauth_org_not_allowed", Kind::NeedsPerson),
        ("account_on_hold", Kind::NeedsPerson),
        ("verification_required", Kind::NeedsPerson),
        ("billing_error", Kind::NeedsPerson),
        ("rate_limit", Kind::Retryable),
        ("overloaded", Kind::Retryable),
        ("invalid_request", Kind::BadRequest),
        ("model_not_found", Kind::NeedsPerson),
        ("server_error", Kind::Retryable),
        ("unknown", Kind::Unknown),
        ("max_output_tokens", Kind::OutputLimited),
        ("cloud_credential_error", Kind::NeedsPerson),
    ];
    assert_eq!(expected.len(), KNOWN_ERRORS.len());
    for ((name, kind), known) in expected.iter().zip(KNOWN_ERRORS.iter()) {
        assert_eq!(name, known, "KNOWN_ERRORS order");
        assert_eq!(classify(name), *kind, "{name}");
    }
}

#[test]
fn unknown_strings_are_unknown() {
    for s in [
        "",
        "quota_exceeded",
        "Rate_Limit",
        " rate_limit",
        "rate_limit ",
        "rate_limit|overloaded",
        "ünknown",
        "\0",
    ] {
        assert_eq!(classify(s), Kind::Unknown, "{s:?}");
    }
}

#[test]
fn kind_names_and_serde_agree() {
    for (kind, name, retry) in [
        (Kind::Retryable, "retryable", true),
        (Kind::NeedsPerson, "needs_person", false),
        (Kind::BadRequest, "bad_request", false),
        (Kind::OutputLimited, "output_limited", false),
        (Kind::Unknown, "unknown", false),
    ] {
        assert_eq!(kind.as_str(), name);
        assert_eq!(kind.retryable(), retry);
        assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{name}\""));
    }
}

#[test]
fn a_known_error_value_wins_over_the_text() {
    // The enum is Claude Code's own classification; the text is only a
    // fallback for "unknown".
    let texts = ["API Error: Request rejected (429) · Rate limited"];
    assert_eq!(
        classify_text("authentication_failed", &texts),
        Kind::NeedsPerson
    );
    assert_eq!(classify_text("invalid_request", &texts), Kind::BadRequest);
}

#[test]
fn unknown_errors_are_read_from_their_text() {
    let cases: &[(&[&str], Kind)] = &[
        (
            &["API Error: Request rejected (429) · Rate limited. Please try again later"],
            Kind::Retryable,
        ),
        (
            &[
                r#"429 {"type":"error","error":{"type":"rate_limit_error","message":"This request would exceed the rate limit for your organization (a1b2) of 50,000 input tokens per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later."}}"#,
            ],
            Kind::Retryable,
        ),
        (&["Claude AI usage limit reached|1733356800"], Kind::Retryable),
        (&["5-hour limit reached ∙ resets 3pm"], Kind::Retryable),
        (&["Weekly limit reached ∙ resets Dec 8, 10am"], Kind::Retryable),
        (&["You've hit your limit · resets 9pm (Europe/Berlin)"], Kind::Retryable),
        (
            &[r#"API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#],
            Kind::Retryable,
        ),
        (
            &[r#"500 {"type":"error","error":{"type":"api_error","message":"Internal server error"}}"#],
            Kind::Retryable,
        ),
        (&["API Error: 503 Service Unavailable"], Kind::Retryable),
        (&["API Error: Connection error."], Kind::Retryable),
        (&["429 Too Many Requests; retry-after: 17"], Kind::Retryable),
        (&["Invalid API key · Fix external API key"], Kind::NeedsPerson),
        (
            &[r#"401 {"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#],
            Kind::NeedsPerson,
        ),
        (
            &["OAuth token has expired. Please obtain a new token or refresh your existing token."],
            Kind::NeedsPerson,
        ),
        (
            &[r#"403 {"type":"error","error":{"type":"permission_error","message":"Your API key does not have permission to use the specified resource."}}"#],
            Kind::NeedsPerson,
        ),
        (&["Credit balance is too low"], Kind::NeedsPerson),
        (
            // The API sends this one as a 400 invalid_request_error.
            &[r#"400 {"type":"error","error":{"type":"invalid_request_error","message":"Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."}}"#],
            Kind::NeedsPerson,
        ),
        (&["Prompt is too long"], Kind::BadRequest),
        (
            &["API Error: Claude's response exceeded the 32000 output token maximum. To configure this behavior, set the CLAUDE_CODE_MAX_OUTPUT_TOKENS environment variable."],
            Kind::OutputLimited,
        ),
        // Signals spread over both texts still count once each.
        (&["", "API Error: Request rejected (429)"], Kind::Retryable),
    ];
    for (texts, kind) in cases {
        assert_eq!(classify_text("unknown", texts), *kind, "{texts:?}");
        assert_eq!(
            classify_text("some_future_error", texts),
            *kind,
            "{texts:?}"
        );
    }
}

#[test]
fn unsure_stays_unknown() {
    let cases: &[&[&str]] = &[
        &[],
        &[""],
        &["API Error: something went wrong"],
        &["Request failed"],
        // Numbers that only look like statuses.
        &["of 50,000 input tokens, 1.500 s, req_011CU429x, id 4290"],
        &["listening on localhost:5000"],
        // Two different signals: a person and a retry. Guessing either is worse.
        &["401 Unauthorized", "Rate limited"],
        &["Invalid API key · Fix external API key", "Overloaded"],
    ];
    for texts in cases {
        assert_eq!(classify_text("unknown", texts), Kind::Unknown, "{texts:?}");
    }
}
