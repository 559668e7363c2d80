//! Edge behaviour of the redaction itself: where spans start and end, what
//! happens when rules overlap, and what is never touched.

use std::borrow::Cow;

use hookwatch_scrub::{rules, scrub, scrub_str, scrub_with_report};

const GH: &str = "ghp_R7dK2mQ9xW4vB8nL3pT6yH1jF5sZ0cE9aU2i";
const GH2: &str = "ghp_Zq4Wv8Ty2Ui6Op0As3Df7Gh1Jk5Lx9Cb2Nm8";
const AWS_ID: &str = "AKIAZ3MQ4P5XW7TRLKJD";
const AWS_SECRET: &str = "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";
const JWT: &str =
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";

fn s(input: &str) -> String {
    String::from_utf8(scrub(input.as_bytes()).into_owned()).unwrap()
}

#[test]
fn clean_input_is_borrowed_not_copied() {
    let input = b"   Compiling serde v1.0.229\n    Finished `release` profile in 3.2s";
    assert!(matches!(scrub(input), Cow::Borrowed(_)));
    assert!(matches!(
        scrub_str("no secrets here: max_tokens=4096"),
        Cow::Borrowed(_)
    ));
    assert!(matches!(scrub(b""), Cow::Borrowed(_)));
}

#[test]
fn secret_that_is_the_whole_input() {
    assert_eq!(s(GH), "[REDACTED:github-token]");
    assert_eq!(s(AWS_ID), "[REDACTED:aws-access-key-id]");
}

#[test]
fn secret_at_start_and_at_end() {
    assert_eq!(
        s(&format!("{GH} was used")),
        "[REDACTED:github-token] was used"
    );
    assert_eq!(
        s(&format!("token is {GH}")),
        "token is [REDACTED:github-token]"
    );
}

#[test]
fn adjacent_secrets_are_redacted_separately() {
    assert_eq!(
        s(&format!("{GH} {GH2}")),
        "[REDACTED:github-token] [REDACTED:github-token]"
    );
    assert_eq!(
        s(&format!("{GH},{GH2}")),
        "[REDACTED:github-token],[REDACTED:github-token]"
    );
    // An id and its secret, as in a credentials CSV.
    assert_eq!(
        s(&format!("{AWS_ID},{AWS_SECRET}")),
        "[REDACTED:aws-access-key-id],[REDACTED:aws-secret-access-key]"
    );
}

#[test]
fn json_escapes_around_a_secret_are_kept_whole() {
    // Raw JSON text: `\n` is two bytes; the token ends at the backslash and
    // starts after the escape's letter.
    let raw = format!(r#"{{"stdout":"line\n{GH}\nnext\t{AWS_ID}\"quoted\""}}"#);
    let out = s(&raw);
    assert_eq!(
        out,
        r#"{"stdout":"line\n[REDACTED:github-token]\nnext\t[REDACTED:aws-access-key-id]\"quoted\""}"#
    );
    serde_json::from_str::<serde_json::Value>(&out).unwrap();
}

#[test]
fn coloured_output_does_not_hide_a_token() {
    let raw = format!(r#"{{"stdout":"\u001b[32m{GH}\u001b[0m"}}"#);
    assert_eq!(
        s(&raw),
        r#"{"stdout":"\u001b[32m[REDACTED:github-token]\u001b[0m"}"#
    );
    assert_eq!(
        s(&format!("\x1b[1m{AWS_ID}\x1b[0m")),
        "\x1b[1m[REDACTED:aws-access-key-id]\x1b[0m"
    );
}

#[test]
fn the_more_specific_rule_names_an_identical_span() {
    assert_eq!(
        s(&format!("password={GH}")),
        "password=[REDACTED:github-token]"
    );
    assert_eq!(
        s(&format!("Authorization: Bearer {JWT}")),
        "Authorization: Bearer [REDACTED:jwt]"
    );
    assert_eq!(
        s(&format!(
            "git clone https://x-access-token:{}@github.com/a/b.git",
            GH.replace("ghp_", "ghs_")
        )),
        "git clone https://x-access-token:[REDACTED:github-token]@github.com/a/b.git"
    );
}

#[test]
fn the_earliest_and_longest_span_wins_without_nested_markers() {
    // The generic value starts before the token inside it: one marker for all.
    let input = format!("api_key=prefix-{GH} rest");
    let (out, findings) = scrub_with_report(input.as_bytes());
    assert_eq!(
        String::from_utf8(out.into_owned()).unwrap(),
        "api_key=[REDACTED:generic-secret] rest"
    );
    assert_eq!(findings.len(), 1);
    assert_eq!(
        (findings[0].rule, findings[0].start, findings[0].end),
        ("generic-secret", 8, 8 + 7 + GH.len())
    );
}

#[test]
fn report_ranges_point_into_the_input() {
    let input = format!("export GITHUB_TOKEN={GH}; export AWS_ACCESS_KEY_ID={AWS_ID}");
    let (_, findings) = scrub_with_report(input.as_bytes());
    let found: Vec<_> = findings
        .iter()
        .map(|f| (f.rule, &input[f.start..f.end]))
        .collect();
    assert_eq!(found, [("github-token", GH), ("aws-access-key-id", AWS_ID)]);
}

#[test]
fn scrubbing_twice_changes_nothing_more() {
    for input in [
        format!("token={GH} and {AWS_ID}"),
        format!("postgres://app:S3cr3t-pw@db:5432/app {JWT}"),
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n".to_string(),
    ] {
        let once = s(&input);
        assert_ne!(once, input);
        assert_eq!(s(&once), once, "{input}");
    }
}

#[test]
fn truncated_private_key_is_redacted_to_the_end_of_its_json_string() {
    let doc = serde_json::json!({
        "stdout": "$ cat id_rsa\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\nVTLw7onLRnrq0",
        "stderr": "cat: write error",
    })
    .to_string();
    let out = s(&doc);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["stdout"], "$ cat id_rsa\n[REDACTED:private-key]");
    assert_eq!(v["stderr"], "cat: write error");
}

#[test]
fn private_key_end_marker_in_another_string_is_not_reached_for() {
    let doc = r#"["-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIIGb2np7v54Hs6++NiLE7CQtQg7rzm4abcdefghij", "-----END EC PRIVATE KEY-----"]"#;
    let out = s(doc);
    assert_eq!(
        out,
        r#"["[REDACTED:private-key]", "-----END EC PRIVATE KEY-----"]"#
    );
}

#[test]
fn private_key_in_json_inside_json() {
    let inner = serde_json::json!({ "private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCu9kz4AKpEJJ1o\n-----END PRIVATE KEY-----\n" });
    let outer = serde_json::json!({ "stdout": inner.to_string() }).to_string();
    let out = s(&outer);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let inner_out: serde_json::Value = serde_json::from_str(v["stdout"].as_str().unwrap()).unwrap();
    assert_eq!(inner_out["private_key"], "[REDACTED:private-key]\n");
}

#[test]
fn base64_images_are_skipped_whole() {
    let mut b64 = String::new();
    // Includes prefixes that would match on their own.
    for i in 0..2000 {
        b64.push_str(
            [
                "iVBORw0KGgo",
                "AKIAZ3MQ4P5XW7TRLKJD",
                "/SK0123456789abcdef0123456789abcdef+",
                "AIza",
            ][i % 4],
        );
    }
    let input = format!(r#"{{"data":"data:image/png;base64,{b64}=="}}"#);
    assert!(matches!(scrub(input.as_bytes()), Cow::Borrowed(_)));
}

#[test]
fn url_keeps_scheme_user_and_host() {
    assert_eq!(
        s("redis://:Sup3r-s3cret@cache:6379/0"),
        "redis://:[REDACTED:url-password]@cache:6379/0"
    );
    assert_eq!(
        s("https://user@host.io/x http://localhost:8080 ssh://git@github.com"),
        "https://user@host.io/x http://localhost:8080 ssh://git@github.com"
    );
}

#[test]
fn rule_table_is_well_formed() {
    let rules = rules();
    assert!(rules.len() >= 30, "{}", rules.len());
    let mut ids: Vec<_> = rules.iter().map(|r| r.id).collect();
    for id in &ids {
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{id}"
        );
        assert!(
            !id.starts_with('-') && !id.ends_with('-') && !id.contains("--"),
            "{id}"
        );
    }
    assert!(rules
        .iter()
        .all(|r| !r.description.is_empty() && !r.description.contains('\n')));
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), rules.len(), "duplicate rule id");
}

#[test]
fn arbitrary_bytes_and_truncated_json_pass_through() {
    let junk: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    let _ = scrub(&junk);
    let truncated = format!(r#"{{"tool_response":{{"stdout":"export TOKEN={GH}"#);
    assert_eq!(
        s(&truncated),
        r#"{"tool_response":{"stdout":"export TOKEN=[REDACTED:github-token]"#
    );
}

#[test]
fn formats_named_in_the_brief_are_redacted_literally() {
    let cases = [
        (
            r#"password=\"hunter2\""#,
            r#"password=\"[REDACTED:generic-secret]\""#,
        ),
        (
            "Authorization: Bearer xyz",
            "Authorization: Bearer [REDACTED:authorization-header]",
        ),
        (
            "-H 'Authorization: token xyz'",
            "-H 'Authorization: token [REDACTED:authorization-header]'",
        ),
        (
            "redis://:pw@cache:6379/0",
            "redis://:[REDACTED:url-password]@cache:6379/0",
        ),
        (
            "https://user:pw@example.com/x",
            "https://user:[REDACTED:url-password]@example.com/x",
        ),
        (
            "postgres://app:password@db:5432/app",
            "postgres://app:[REDACTED:url-password]@db:5432/app",
        ),
        (
            "curl -u user:hunter22 https://ci.acme.io",
            "curl -u user:[REDACTED:curl-basic-auth] https://ci.acme.io",
        ),
    ];
    for (input, want) in cases {
        assert_eq!(s(input), want, "{input}");
    }
}

#[test]
fn prose_and_samples_around_the_same_formats_are_kept() {
    for input in [
        "the Authorization: Bearer header is missing",
        "Authorization: Bearer <token>",
        "Bearer xyz",
        "http://user:pass@sub.example.com:8080/p?q=1",
        "curl -u \"$USER:$TOKEN\" https://ci.acme.io",
        // The brief's notation, and gitleaks' list of sample passwords.
        "curl -u user:pass https://ci.acme.io",
        "curl -u username:password https://ci.acme.io",
        "user@host and http://localhost:8080",
    ] {
        assert_eq!(s(input), input);
    }
}
