//! Cost of classifying one failure: `cargo run --release --example bench_classify`.
//!
//! Prints ns/op for a 5 KB and a 1 MB Bash error, with and without user
//! rules, plus the first call (cold caches, as in a fresh hook process).

use std::hint::black_box;
use std::time::Instant;

use hookwatch_failure::{fingerprint, Class, Failure, Rules, UserRule};

fn cargo_output(target: usize) -> String {
    let mut s = String::from("Exit code 101\n");
    let mut i = 0;
    while s.len() < target {
        s.push_str(&format!(
            "   Compiling dep{i} v0.{i}.3 (/home/alice/.cargo/registry/src/index.crates.io-6f17d22bba15001f/dep{i}-0.{i}.3)\n"
        ));
        i += 1;
    }
    s.push_str("error[E0425]: cannot find value `x` in this scope\n --> /tmp/tmp.aB3dE9fGh2/shop/src/main.rs:3:5\n  |\n3 |     x\n  |     ^ not found in this scope\n\nerror: could not compile `shop` (bin \"shop\") due to 1 previous error\n");
    s
}

fn time<F: FnMut()>(label: &str, iters: u32, mut f: F) {
    let t = Instant::now();
    f();
    let first = t.elapsed();
    let t = Instant::now();
    for _ in 0..iters {
        f();
    }
    let per = t.elapsed().as_nanos() / u128::from(iters);
    println!(
        "{label:<40} first {:>9} ns   steady {per:>9} ns/op",
        first.as_nanos()
    );
}

fn main() {
    let input = serde_json::json!({ "command": "cd /work/shop && cargo build --release 2>&1" });
    let user = [
        UserRule {
            name: "e2e".into(),
            command: Some("npm run e2e*".into()),
            error: Some("(?i)timed out".into()),
            class: Some(Class::Test),
            ..Default::default()
        },
        UserRule {
            name: "any-cargo".into(),
            command: Some("*cargo build*".into()),
            error: Some(r"error\[E0\d+\]".into()),
            advice: Some("Fix the compile error first.".into()),
            ..Default::default()
        },
    ];
    for (label, size, iters) in [("5 KB", 5 * 1024, 20_000), ("1 MB", 1 << 20, 200)] {
        let error = cargo_output(size);
        let f = Failure {
            tool_name: "Bash",
            tool_input: Some(&input),
            error: &error,
            is_interrupt: false,
            mcp_server: None,
            cwd: Some("/work/shop"),
            project_dir: Some("/work/shop"),
        };
        time(&format!("fingerprint {label}"), iters, || {
            black_box(fingerprint(black_box(&f)));
        });
        time(&format!("classify {label}, no user rules"), iters, || {
            let rules = Rules::new(&[]).unwrap();
            black_box(rules.classify(black_box(&f)));
        });
        time(
            &format!("classify {label}, 2 user rules (+regex)"),
            iters,
            || {
                let rules = Rules::new(&user).unwrap();
                black_box(rules.classify(black_box(&f)));
            },
        );
    }
}
