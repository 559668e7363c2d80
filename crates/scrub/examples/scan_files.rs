//! Scrubs every file named on stdin and prints what was found, one line per
//! finding: rule, path, and the text around it. Used to hunt false positives
//! in real text (source trees, docs, logs) that the corpus does not cover:
//!
//! `find ~/src -name '*.rs' | cargo run --release -p hookwatch-scrub --example scan_files`

use std::io::BufRead;

fn main() {
    let (mut findings, mut bytes) = (0usize, 0usize);
    for line in std::io::stdin().lock().lines() {
        let Ok(path) = line else { break };
        let Ok(data) = std::fs::read(&path) else {
            continue;
        };
        bytes += data.len();
        for f in hookwatch_scrub::scrub_with_report(&data).1 {
            findings += 1;
            let context = &data[f.start.saturating_sub(40)..(f.end + 20).min(data.len())];
            println!("{}\t{path}\t{:?}", f.rule, String::from_utf8_lossy(context));
        }
    }
    eprintln!("{findings} findings in {bytes} bytes");
}
