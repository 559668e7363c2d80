//! Nothing panics on arbitrary text, and hints always land in the window.

use hookwatch_recover::{classify_text, parse_hint, parse_hint_in, TimeZone};
use proptest::prelude::*;

/// Fragments that drive the parsers deep: triggers, numbers, units, zones.
fn arb_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("resets ".to_string()),
        Just("reset at ".to_string()),
        Just("until ".to_string()),
        Just("retry-after: ".to_string()),
        Just("retry-after-ms=".to_string()),
        Just("try again in ".to_string()),
        Just("wait for ".to_string()),
        Just("|".to_string()),
        Just("Dec ".to_string()),
        Just("Wed, ".to_string()),
        Just(" (Europe/Berlin)".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just(":".to_string()),
        Just("pm".to_string()),
        Just("a.m.".to_string()),
        Just("T".to_string()),
        Just("Z".to_string()),
        Just("-".to_string()),
        Just("+".to_string()),
        Just(".".to_string()),
        Just(" ".to_string()),
        Just("\u{202f}".to_string()),
        Just("∙".to_string()),
        Just(" seconds".to_string()),
        Just("h".to_string()),
        Just("m".to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        (0u32..100).prop_map(|n| n.to_string()),
        "[0-9]{1,25}",
        ".{0,6}",
    ];
    prop_oneof![
        prop::collection::vec(piece, 0..24).prop_map(|v| v.concat()),
        prop::collection::vec(any::<u8>(), 0..400)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        ".{0,200}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parse_hint_never_panics(a in arb_text(), b in arb_text(), now in prop_oneof![
        Just(1_733_318_400i64), Just(i64::MIN), Just(i64::MAX), Just(0i64), any::<i64>(),
    ]) {
        let local = TimeZone::get("America/New_York").unwrap_or(TimeZone::UTC);
        if let Some(h) = parse_hint_in(&[&a, &b], now, &local) {
            let ahead = i128::from(h.reset_at_unix_s) - i128::from(now);
            prop_assert!((0..=7 * 86_400).contains(&ahead), "{h:?}");
            prop_assert!(h.source.chars().count() <= 120);
        }
        let _ = parse_hint(&[&a], now);
        let _ = classify_text("unknown", &[&a, &b]);
    }
}

#[test]
fn large_texts_stay_fast() {
    // 8 MiB of near-misses (read as its two 64 KiB ends): each trigger
    // starts a pattern that fails late.
    let text = "resets Dec 8, 10:0 retry-after: x try again in 5 parsecs |123 ".repeat(130_000);
    let start = std::time::Instant::now();
    assert_eq!(parse_hint_in(&[&text], 1_733_318_400, &TimeZone::UTC), None);
    let _ = classify_text("unknown", &[&text]);
    assert!(start.elapsed().as_secs() < 10, "{:?}", start.elapsed());
}
