//! Prints the guard's verdict for a Bash command, in the corpus context:
//! `cargo run -p hookwatch-guard --example decide -- 'rm -rf ~/'`
use hookwatch_guard::{AssumeWorst, Guard, GuardConfig, Request};

fn main() {
    let cmd = std::env::args().nth(1).unwrap_or_default();
    let guard = Guard::new(&GuardConfig::default()).expect("default config");
    let input = serde_json::json!({ "command": cmd });
    let dirs = [std::path::PathBuf::from("/home/dev/.config/hookwatch")];
    let req = Request {
        tool_name: "Bash",
        tool_input: &input,
        cwd: "/home/dev/proj",
        project_dir: Some("/home/dev/proj"),
        home: Some("/home/dev"),
        protected_dirs: &dirs,
    };
    let t = std::time::Instant::now();
    let out = guard.evaluate(&req, &AssumeWorst);
    let took = t.elapsed();
    println!(
        "{}",
        serde_json::to_string_pretty(&out.verdict).expect("json")
    );
    for e in &out.errors {
        eprintln!("error: {e}");
    }
    eprintln!("decided in {took:?}");
}
