//! `parse_hint` on the texts the API and Claude Code produce, with a fixed
//! `now` and a fixed local zone, so every expectation is an exact instant.

use hookwatch_recover::{parse_hint, parse_hint_in, Hint, HintKind, TimeZone};

/// 2024-12-04T13:20:00Z, a Wednesday (14:20 in Berlin, 08:20 in New York).
const NOW: i64 = 1_733_318_400;

use HintKind::{ResetTime as Reset, RetryAfter as Delay};

fn hint_utc(texts: &[&str]) -> Option<Hint> {
    parse_hint_in(texts, NOW, &TimeZone::UTC)
}

fn got(texts: &[&str]) -> Option<(i64, HintKind)> {
    hint_utc(texts).map(|h| (h.reset_at_unix_s, h.kind))
}

fn check(cases: &[(&str, Option<(i64, HintKind)>)]) {
    let mut wrong = Vec::new();
    for (text, want) in cases {
        let have = got(&[text]);
        if have != *want {
            wrong.push(format!("{text:?}\n   want {want:?}\n   have {have:?}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn claude_code_usage_limit_messages() {
    check(&[
        // The old format: epoch seconds after a pipe (2024-12-05T00:00Z).
        (
            "Claude AI usage limit reached|1733356800",
            Some((1_733_356_800, Reset)),
        ),
        // ... and in milliseconds.
        (
            "Claude AI usage limit reached|1733356800000",
            Some((1_733_356_800, Reset)),
        ),
        // Local zone (UTC here): today 15:00.
        (
            "5-hour limit reached ∙ resets 3pm",
            Some((1_733_324_400, Reset)),
        ),
        // 15:00 EST = 20:00Z.
        (
            "Claude usage limit reached. Your limit will reset at 3pm (America/New_York).",
            Some((1_733_342_400, Reset)),
        ),
        // 21:00 CET = 20:00Z.
        (
            "You've hit your limit · resets 9pm (Europe/Berlin)",
            Some((1_733_342_400, Reset)),
        ),
        (
            "Weekly limit reached ∙ resets Dec 8, 10am",
            Some((1_733_652_000, Reset)),
        ),
        (
            "Opus weekly limit reached ∙ resets Dec 8 at 10am",
            Some((1_733_652_000, Reset)),
        ),
        // 09:00 CET on Dec 5 = 08:00Z.
        (
            "Weekly limit reached ∙ resets Dec 5, 9am (Europe/Berlin)",
            Some((1_733_385_600, Reset)),
        ),
        // ICU writes a narrow no-break space before the upper-case meridiem.
        (
            "5-hour limit reached ∙ resets 3\u{202f}PM",
            Some((1_733_324_400, Reset)),
        ),
        (
            "Session limit reached ∙ resets 3:30 p.m.",
            Some((1_733_326_200, Reset)),
        ),
        // Noon in Los Angeles: 20:00Z.
        (
            "You've hit your limit · resets noon (America/Los_Angeles)",
            Some((1_733_342_400, Reset)),
        ),
    ]);
}

#[test]
fn api_replies_and_headers() {
    check(&[
        ("429 Too Many Requests; retry-after: 17", Some((NOW + 17, Delay))),
        ("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 120\r\n", Some((NOW + 120, Delay))),
        (r#"{"retry-after-ms": "1500"}"#, Some((NOW + 2, Delay))),
        (r#"{"retry_after": 30}"#, Some((NOW + 30, Delay))),
        ("Retry-After: Wed, 04 Dec 2024 14:00:00 GMT", Some((1_733_320_800, Reset))),
        ("Overloaded. Please try again in 30 seconds.", Some((NOW + 30, Delay))),
        ("Rate limited, retry after 20s", Some((NOW + 20, Delay))),
        ("Please wait 45 seconds before trying again.", Some((NOW + 45, Delay))),
        ("Usage limit reached. Try again in 5 minutes.", Some((NOW + 300, Delay))),
        ("Your quota resets in 2 hours.", Some((NOW + 7_200, Delay))),
        ("Try again in 1h 30m", Some((NOW + 5_400, Delay))),
        ("resets in 4h59m", Some((NOW + 17_940, Delay))),
        ("try again in 2 hours and 30 minutes", Some((NOW + 9_000, Delay))),
        ("try again in 1.5 hours", Some((NOW + 5_400, Delay))),
        ("try again in a minute", Some((NOW + 60, Delay))),
        ("Please try again at 3pm.", Some((1_733_324_400, Reset))),
        ("rate limited until 15:30 UTC", Some((1_733_326_200, Reset))),
        // Escaped JSON inside error_details.
        (r#"{\"retry-after\": \"17\"}"#, Some((NOW + 17, Delay))),
        (r#"{\"resets_at\": \"2024-12-04T18:00:00Z\"}"#, Some((1_733_335_200, Reset))),
        ("anthropic-ratelimit-tokens-reset: 2024-12-04T13:21:05Z", Some((1_733_318_465, Reset))),
        (r#"{"resets_at": "2024-12-05T08:30:00+01:00"}"#, Some((1_733_383_800, Reset))),
        ("anthropic-ratelimit-unified-reset: 1733356800", Some((1_733_356_800, Reset))),
        (
            "You have reached your specified API usage limits. You will regain access on 2024-12-06 at 00:00 UTC.",
            Some((1_733_443_200, Reset)),
        ),
    ]);
}

#[test]
fn messages_without_a_hint() {
    check(&[
        (
            "API Error: Request rejected (429) · Rate limited. Please try again later",
            None,
        ),
        (
            r#"429 {"type":"error","error":{"type":"rate_limit_error","message":"This request would exceed the rate limit for your organization (5c2e7b1a-1234-4c3b-9f0e-0123456789ab) of 50,000 input tokens per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later."}}"#,
            None,
        ),
        (
            r#"API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
            None,
        ),
        ("Invalid API key · Fix external API key", None),
        ("Credit balance is too low", None),
        ("", None),
        // A timestamp with no reset word before it is not a reset time.
        ("2024-12-04T18:00:00Z request failed", None),
        ("at 3pm the request failed", None),
        // Numbers that are not delays.
        ("retry after 3 attempts", None),
        ("in 5-hour windows", None),
        ("resets 15", None),
        ("Claude AI usage limit reached|17333568", None),
    ]);
}

#[test]
fn tricky_times() {
    check(&[
        // Dates and epochs in the past.
        (
            "Weekly limit reached ∙ resets Dec 4, 9am (Europe/Berlin)",
            None,
        ),
        ("Claude AI usage limit reached|1733000000", None),
        (
            "anthropic-ratelimit-tokens-reset: 2024-12-04T13:00:00Z",
            None,
        ),
        // "Dec 3" is behind us, so it means next year: more than 7 days away.
        ("resets Dec 3, 10am", None),
        // Zero is now, not the past.
        ("try again in 0 seconds", Some((NOW, Delay))),
        // Huge numbers overflow or land beyond a week.
        ("retry after 99999999999999999999999999 seconds", None),
        ("retry-after: 99999999999999999999", None),
        ("try again in 9223372036854775807 weeks", None),
        ("Claude AI usage limit reached|9999999999", None),
        ("try again in 8 days", None),
        ("try again in 7 days", Some((NOW + 604_800, Delay))),
        // 12am is midnight, the next one; 12pm is noon, passed today, so tomorrow.
        ("resets 12am", Some((1_733_356_800, Reset))),
        ("resets 12pm", Some((1_733_400_000, Reset))),
        ("resets midnight", Some((1_733_356_800, Reset))),
        // 24-hour clock.
        ("resets 15:30", Some((1_733_326_200, Reset))),
        ("resets at 09:15", Some((1_733_390_100, Reset))),
        // Ten minutes ago: a reset that just happened (past, dropped), not tomorrow.
        ("resets 1:10pm", None),
        // Impossible clock times.
        ("resets 13pm", None),
        ("resets 0am", None),
        ("resets 24:00", None),
        ("resets 10:75", None),
        ("resets Feb 30, 10am", None),
        // Ambiguous abbreviations and zones this machine cannot load: no guess.
        ("resets 3pm PST", None),
        ("resets 3pm (CET)", None),
        ("resets 3pm (Mars/Olympus_Mons)", None),
        // A parenthesis that is no zone is just text.
        ("resets 3pm (see /usage)", Some((1_733_324_400, Reset))),
        ("resets 3pm UTC", Some((1_733_324_400, Reset))),
        // Offsets after UTC/GMT: 15:00+01:00 = 14:00Z, 15:00-05:00 = 20:00Z.
        ("resets 3pm GMT+1", Some((1_733_320_800, Reset))),
        ("resets 3pm (UTC+01:00)", Some((1_733_320_800, Reset))),
        ("resets 3pm (GMT-5)", Some((1_733_342_400, Reset))),
        ("resets 3pm (UTC+1 or so)", Some((1_733_324_400, Reset))),
        ("resets 3pm (UTC+99)", None),
    ]);
}

#[test]
fn a_reset_time_wins_over_a_delay_and_the_latest_wins() {
    let h = hint_utc(&[
        "429 Too Many Requests; retry-after: 17",
        "5-hour limit reached ∙ resets 3pm",
    ])
    .unwrap();
    assert_eq!((h.reset_at_unix_s, h.kind), (1_733_324_400, Reset));
    assert_eq!(h.source, "resets 3pm");

    let h = hint_utc(&[
        "resets 3pm or resets 3:30pm",
        "retry-after: 5 and retry after 9s",
    ])
    .unwrap();
    assert_eq!(h.reset_at_unix_s, 1_733_326_200);

    let h = hint_utc(&["retry-after: 5", "in 2 minutes", "retry after 9s"]).unwrap();
    assert_eq!((h.reset_at_unix_s, h.kind), (NOW + 120, Delay));
}

#[test]
fn source_is_the_matched_text() {
    let h = hint_utc(&["Claude AI usage limit reached|1733356800"]).unwrap();
    assert_eq!(h.source, "reached|1733356800");
    let h =
        hint_utc(&["Claude usage limit reached. Your limit will reset at 3pm (America/New_York)."])
            .unwrap();
    assert_eq!(h.source, "reset at 3pm (America/New_York)");
    let h = hint_utc(&["429 Too Many Requests; Retry-After: 17"]).unwrap();
    assert_eq!(h.source, "Retry-After: 17");
    let long = format!("resets{}3pm", " ".repeat(500));
    let h = hint_utc(&[&long]).unwrap();
    assert_eq!(h.source.chars().count(), 120);
}

#[test]
fn unzoned_times_are_read_in_the_local_zone() {
    let berlin = TimeZone::get("Europe/Berlin").unwrap();
    // 15:00 in Berlin = 14:00Z (now is 14:20 there).
    let h = parse_hint_in(&["5-hour limit reached ∙ resets 3pm"], NOW, &berlin).unwrap();
    assert_eq!(h.reset_at_unix_s, 1_733_320_800);
    // A named zone ignores the local one.
    let h = parse_hint_in(
        &["resets 9pm (Europe/Berlin)"],
        NOW,
        &TimeZone::get("Asia/Tokyo").unwrap(),
    );
    assert_eq!(h.unwrap().reset_at_unix_s, 1_733_342_400);
}

#[test]
fn dates_roll_into_next_year() {
    // 2024-12-30T13:20Z: "Jan 2" is next year's.
    let now = 1_735_564_800;
    let h = parse_hint_in(
        &["Weekly limit reached ∙ resets Jan 2, 9am"],
        now,
        &TimeZone::UTC,
    )
    .unwrap();
    assert_eq!(h.reset_at_unix_s, 1_735_808_400);
}

#[test]
fn clock_gaps_resolve_forward() {
    // 2025-03-29T12:00Z; 02:30 on Mar 30 does not exist in Berlin (clocks
    // jump 02:00 → 03:00), so it is read as 03:30 CEST = 01:30Z.
    let now = 1_743_249_600;
    let berlin = TimeZone::get("Europe/Berlin").unwrap();
    let h = parse_hint_in(&["resets Mar 30, 2:30am"], now, &berlin).unwrap();
    assert_eq!(h.reset_at_unix_s, 1_743_298_200);
}

#[test]
fn huge_texts_are_read_at_both_ends() {
    // Over 128 KiB, only the first and last 64 KiB count: an error's status
    // line and a transcript's last entry.
    let filler = "é".repeat(100_000);
    let tail = format!("{filler}{filler} 5-hour limit reached ∙ resets 3pm");
    assert_eq!(got(&[&tail]), Some((1_733_324_400, Reset)));
    let head = format!("retry-after: 17 {filler}{filler}");
    assert_eq!(got(&[&head]), Some((NOW + 17, Delay)));
    let middle = format!("{filler} retry-after: 17 {filler}");
    assert_eq!(got(&[&middle]), None);
}

#[test]
fn transcript_json_text() {
    let line = r#"{"type":"assistant","message":{"content":[{"type":"text","text":"5-hour limit reached ∙ resets 3pm (Europe/Berlin)"}]},"isApiErrorMessage":true,"error":"rate_limit","timestamp":"2024-12-04T13:19:58.123Z"}"#;
    let h = hint_utc(&[line]).unwrap();
    assert_eq!((h.reset_at_unix_s, h.kind), (1_733_320_800, Reset));
}

#[test]
fn system_zone_entry_point() {
    // Only texts whose answer does not depend on this machine's zone.
    let h = parse_hint(&["You've hit your limit · resets 9pm (Europe/Berlin)"], NOW).unwrap();
    assert_eq!(h.reset_at_unix_s, 1_733_342_400);
    let h = parse_hint(&["Overloaded. Please try again in 30 seconds."], NOW).unwrap();
    assert_eq!(h.reset_at_unix_s, NOW + 30);
    assert_eq!(
        parse_hint(&["Invalid API key · Fix external API key"], NOW),
        None
    );
}

#[test]
fn hint_serializes_for_the_record() {
    let h = hint_utc(&["retry-after: 17"]).unwrap();
    assert_eq!(
        serde_json::to_string(&h).unwrap(),
        format!(
            r#"{{"reset_at_unix_s":{},"kind":"retry_after","source":"retry-after: 17"}}"#,
            NOW + 17
        )
    );
    assert_eq!(HintKind::ResetTime.as_str(), "reset_time");
}
