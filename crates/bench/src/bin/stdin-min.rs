//! The baseline: a Rust program that only reads stdin to the end. Built with
//! the same release profile as hookwatch, so the ratio measures hookwatch's
//! own work, not process start-up.
use std::io::Read;

fn main() {
    let mut buf = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut buf);
}
