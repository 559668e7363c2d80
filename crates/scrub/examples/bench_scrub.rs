//! Timing of `scrub` on the two payloads of `hot-path-measurements.md`: a
//! 5 KB build-log event with two secrets and a 1 MB event whose stdout is
//! Rust source.
//!
//! `cargo run --release -p hookwatch-scrub --example bench_scrub`
//!
//! The hook scrubs once per process, so what counts is the first call in a
//! fresh process: cold caches, cold branch predictors, code pages not yet
//! mapped, and any one-time setup (this crate has none). The example measures
//! that by re-running itself as a child process many times and taking the
//! median, then reports the warm in-process average (1000 / 20 calls) next
//! to it.

use std::hint::black_box;
use std::process::Command;
use std::time::{Duration, Instant};

use hookwatch_scrub::{scrub, scrub_with_report};

const CHILD: &str = "HOOKWATCH_SCRUB_BENCH_CHILD";
const FRESH_PROCESSES: usize = 31;

fn main() {
    if let Ok(which) = std::env::var(CHILD) {
        // Child: build the payload, time exactly one call, print nanoseconds.
        let payload = if which == "small" {
            build_log_event()
        } else {
            rust_source_event(1 << 20)
        };
        let t = Instant::now();
        let out = scrub(black_box(payload.as_bytes()));
        let first = t.elapsed();
        black_box(out);
        println!("{}", first.as_nanos());
        return;
    }

    for (which, name, iterations) in [
        ("small", "5 KB build log", 1000u32),
        ("large", "1 MB Rust source", 20),
    ] {
        let payload = if which == "small" {
            build_log_event()
        } else {
            rust_source_event(1 << 20)
        };
        let first_calls = fresh_process_first_calls(which);

        let findings = scrub_with_report(payload.as_bytes()).1;
        let t = Instant::now();
        for _ in 0..iterations {
            black_box(scrub(black_box(payload.as_bytes())));
        }
        let warm = t.elapsed() / iterations;
        println!(
            "{name:<17} {:>8} B  first call in a fresh process: median {:>9} (min {}, max {}, {FRESH_PROCESSES} runs)  \
             warm: {:>9}/call over {iterations} calls  ({} findings: {})",
            payload.len(),
            micros(first_calls[first_calls.len() / 2]),
            micros(first_calls[0]),
            micros(first_calls[first_calls.len() - 1]),
            micros(warm),
            findings.len(),
            findings.iter().map(|f| f.rule).collect::<Vec<_>>().join(", "),
        );
    }
}

/// Sorted first-call times of `FRESH_PROCESSES` child runs.
fn fresh_process_first_calls(which: &str) -> Vec<Duration> {
    let exe = std::env::current_exe().expect("own path");
    let mut times: Vec<Duration> = (0..FRESH_PROCESSES)
        .map(|_| {
            let out = Command::new(&exe)
                .env(CHILD, which)
                .output()
                .expect("child run");
            let ns: u64 = String::from_utf8_lossy(&out.stdout)
                .trim()
                .parse()
                .expect("child prints ns");
            Duration::from_nanos(ns)
        })
        .collect();
    times.sort_unstable();
    times
}

fn micros(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

/// A PostToolUse event for a failed `cargo build && npm test`, about 5 KB,
/// with a fake AWS access key id and a fake GitHub token in the log.
fn build_log_event() -> String {
    let aws = ["AKIA", "Z3MQ4P5XW7TRLKJD"].concat();
    let gh = ["ghp_", "Lq8Wz3Kr7Tn2Vm6Xb1Hc5Jd9Fg4Sa0Pe3Uy7"].concat();
    let mut log = String::new();
    for (i, krate) in [
        "serde",
        "serde_json",
        "memchr",
        "aho-corasick",
        "libc",
        "rusqlite",
        "blake3",
        "clap",
        "anyhow",
    ]
    .iter()
    .cycle()
    .take(36)
    .enumerate()
    {
        log.push_str(&format!("   Compiling {krate} v1.{i}.0\n"));
    }
    log.push_str(
        "warning: unused variable: `token`\n  --> src/upload.rs:42:9\n   |\n42 |     let token = \
         env::var(\"UPLOAD_TOKEN\")?;\n   |         ^^^^^ help: prefix it with an underscore: `_token`\n\n",
    );
    log.push_str(&format!(
        "note: using AWS_ACCESS_KEY_ID={aws} from the environment\n"
    ));
    log.push_str("    Finished `dev` profile [unoptimized + debuginfo] target(s) in 12.41s\n\n> app@1.4.2 test\n> jest --ci\n\n");
    for i in 0..62 {
        log.push_str(&format!(
            "PASS src/components/widget{i}.test.tsx (1.{i:02} s)\n"
        ));
    }
    log.push_str(&format!("FAIL src/api/client.test.ts\n  ● client › uploads with token\n\n    Error: 401 Unauthorized (Authorization: token {gh})\n      at Object.<anonymous> (src/api/client.test.ts:88:11)\n\nTests: 1 failed, 41 passed, 42 total\n"));
    let event = format!(
        "{{\"session_id\":\"3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f\",\"transcript_path\":\"/home/dev/.claude/projects/-home-dev-app/3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f.jsonl\",\"cwd\":\"/home/dev/app\",\"hook_event_name\":\"PostToolUse\",\"tool_name\":\"Bash\",\"tool_input\":{{\"command\":\"cargo build && npm test\",\"description\":\"Build and test\"}},\"tool_response\":{{\"stdout\":{},\"stderr\":\"\",\"interrupted\":false,\"isImage\":false}},\"tool_use_id\":\"toolu_01ABCDEFGHJKMNPQRSTUVWXYZ\"}}",
        json_string(&log)
    );
    event
}

/// About 1 MB of ordinary Rust source as `tool_response.stdout` of a Read:
/// generated from templates (deterministically) so the example needs no
/// fixture, with the identifiers real code has (`token`, `key`, `config`,
/// `password_hash`, ...) and no secrets.
fn rust_source_event(size: usize) -> String {
    const NOUNS: &[&str] = &[
        "token",
        "config",
        "request",
        "response",
        "session",
        "user",
        "key",
        "buffer",
        "parser",
        "client",
        "event",
        "password_hash",
        "secret_store",
        "auth",
        "header",
        "path",
        "cache",
        "record",
        "span",
        "index",
        "payload",
        "credentials",
        "api_key",
        "limit",
        "offset",
    ];
    const TYPES: &[&str] = &[
        "String",
        "Vec<u8>",
        "Option<String>",
        "usize",
        "&str",
        "HashMap<String, Value>",
        "Token",
    ];
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let mut text = String::with_capacity(size + 4096);
    let mut f = 0;
    while text.len() < size {
        let (a, b, c) = (
            NOUNS[next(NOUNS.len())],
            NOUNS[next(NOUNS.len())],
            NOUNS[next(NOUNS.len())],
        );
        let ty = TYPES[next(TYPES.len())];
        f += 1;
        text.push_str(&format!(
            "/// Returns the {a} for this {b}, reading it from the {c} when it is not cached.\n\
             pub fn {a}_{f}(&self, {b}: &{ty}) -> Result<{ty}, Error> {{\n\
             \x20   let {c} = self.{c}.get(\"{b}\").ok_or(Error::Missing(\"{c}\"))?;\n\
             \x20   if {c}.len() > {n} {{\n\
             \x20       return Err(Error::TooLong {{ max: {n}, got: {c}.len() }});\n\
             \x20   }}\n\
             \x20   let {a} = match {b}.kind() {{\n\
             \x20       Kind::Plain => {c}.to_string(),\n\
             \x20       Kind::Base64 => base64::decode(&{c})?,\n\
             \x20       _ => format!(\"{{}}:{{}}\", {b}, {c}),\n\
             \x20   }};\n\
             \x20   tracing::debug!({a}_len = {a}.len(), \"loaded {a} from {c}\");\n\
             \x20   Ok({a}.into())\n\
             }}\n\n",
            n = next(4096)
        ));
    }
    text.truncate(size);
    format!(
        "{{\"session_id\":\"3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f\",\"hook_event_name\":\"PostToolUse\",\
         \"tool_name\":\"Read\",\"tool_input\":{{\"file_path\":\"/home/dev/app/src/lib.rs\"}},\
         \"tool_response\":{{\"stdout\":{}}}}}",
        json_string(&text)
    )
}

/// Minimal JSON string encoding, so the example needs no JSON crate.
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8 + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
