//! `hookwatch scrub`: a file or stdin, scrubbed or reported, never echoing a
//! secret in the report or an error.

mod common;
use common::*;

const LOG: &str = "step 1 ok\nexport GITHUB_TOKEN=ghp_o2x0wuuMiBUjNg5hLlb43Ju38RdIu2i2mjEw\nDATABASE_URL=mysql://app:S3cr3tPassw0rd@db/shop\n";

#[test]
fn prints_the_file_scrubbed() {
    let h = Home::new();
    let file = h.path().join("build.log");
    std::fs::write(&file, LOG).unwrap();
    let out = h.run(&["scrub", file.to_str().unwrap()]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text,
        "step 1 ok\nexport GITHUB_TOKEN=[REDACTED:github-token]\nDATABASE_URL=mysql://app:[REDACTED:url-password]@db/shop\n"
    );
}

#[test]
fn reads_stdin_and_reports_without_values() {
    let h = Home::new();
    let mut cmd = h.cmd();
    cmd.args(["scrub", "--report", "--json", "-"]);
    let out = run_with_stdin(&mut cmd, LOG.as_bytes());
    assert_eq!(out.status.code(), Some(3), "found secrets exit 3");
    assert!(!contains(&out.stdout, "ghp_o2x0"));
    assert!(!contains(&out.stdout, "S3cr3t"));
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 2);
    assert_eq!(found[0]["rule"], "github-token");
    assert_eq!(
        (found[0]["line"].as_u64(), found[0]["column"].as_u64()),
        (Some(2), Some(21))
    );
    assert_eq!(found[1]["rule"], "url-password");

    let mut cmd = h.cmd();
    cmd.args(["scrub", "--report"]);
    let out = run_with_stdin(&mut cmd, b"nothing to see\n");
    assert_eq!(out.status.code(), Some(0));
    assert!(contains(&out.stdout, "no secrets found"));
}

#[test]
fn binary_and_empty_input_pass_through() {
    let h = Home::new();
    let mut bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    bytes.extend_from_slice(b" token=ghp_o2x0wuuMiBUjNg5hLlb43Ju38RdIu2i2mjEw \xff\xfe");
    let mut cmd = h.cmd();
    cmd.arg("scrub");
    let out = run_with_stdin(&mut cmd, &bytes);
    assert!(out.status.success());
    assert!(!contains(&out.stdout, "ghp_o2x0"));
    assert_eq!(&out.stdout[..70_000], &bytes[..70_000]);

    let mut cmd = h.cmd();
    cmd.arg("scrub");
    let out = run_with_stdin(&mut cmd, b"");
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
}

#[test]
fn a_missing_file_is_an_error_that_names_it() {
    let h = Home::new();
    let out = h.run(&[
        "scrub",
        "/nonexistent/ghp_o2x0wuuMiBUjNg5hLlb43Ju38RdIu2i2mjEw.log",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot read /nonexistent/"), "{err}");
    assert!(
        !err.contains("ghp_o2x0"),
        "the error message is scrubbed too: {err}"
    );
}

/// An event stored by an older hook, whose scrubber did not know a format,
/// is cleaned by `hookwatch rescrub`, everywhere in the data dir; a second
/// run has nothing to do.
#[test]
fn rescrub_cleans_what_an_older_scrubber_let_through() {
    let h = Home::new();
    // Recorded normally first, so the data dir and database exist.
    let out = h.hook(failure_event("s1", "t1", 100).to_string().as_bytes());
    assert!(out.status.success());
    // Written straight to the spool, as a hook without today's rules would
    // have kept it: a Postman key in the error text.
    let secret = "PMAK-5f0c9e2a7d41b8c36e0a9f27-d3b18e6c0f5a92e47b1c8d30f6a25e9c4b";
    let mut event = failure_event("s1", "t2", 100);
    event["error"] = format!("Exit code 1\nnewman: invalid API key {secret}").into();
    let payload = event.to_string();
    let header = hookwatch_store::spool::Header {
        v: hookwatch_store::spool::FORMAT_VERSION,
        id: "0000000000000001-old".into(),
        time_us: 1_700_000_000_000_000,
        len: payload.len() as u64,
        original_size: payload.len() as u64,
        ..Default::default()
    };
    let spool = h.path().join("spool");
    hookwatch_store::spool::write(&spool, &header, payload.as_bytes(), false).unwrap();
    assert!(h.run(&["ingest"]).status.success());
    assert!(contains(&h.all_bytes(), secret), "the old value is stored");

    let out = h.run(&["rescrub", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["changed"], 1, "{report}");
    assert_eq!(report["complete"], true);
    assert!(
        !contains(&h.all_bytes(), secret),
        "nothing in the data dir holds it"
    );
    let shown = h.run(&["events", "--json"]);
    assert!(contains(&shown.stdout, "[REDACTED:postman-api-key]"));

    let out = h.run(&["rescrub"]);
    assert!(
        contains(&out.stdout, "already scrubbed"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
