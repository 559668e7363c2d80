//! The fingerprint rule (crate docs): same failure ⇒ same id across
//! sessions, machines, temp dirs; different failure ⇒ different id.

use hookwatch_failure::{fingerprint, Failure, Fingerprint};
use serde_json::{json, Value};

fn fp_in(tool: &str, input: &Value, error: &str, cwd: &str) -> Fingerprint {
    fingerprint(&Failure {
        tool_name: tool,
        tool_input: Some(input),
        error,
        is_interrupt: false,
        mcp_server: None,
        cwd: Some(cwd),
        project_dir: None,
    })
}

fn bash(cmd: &str, error: &str) -> Fingerprint {
    fp_in("Bash", &json!({ "command": cmd }), error, "/work")
}

fn same(a: &Fingerprint, b: &Fingerprint) {
    assert_eq!(
        a.id, b.id,
        "\n{:?}\n{:?}",
        a.normalized_error, b.normalized_error
    );
}

fn differ(a: &Fingerprint, b: &Fingerprint) {
    assert_ne!(
        a.id, b.id,
        "\n{:?}\n{:?}",
        a.normalized_error, b.normalized_error
    );
}

#[test]
fn id_shape() {
    let f = bash("cargo test", "Exit code 101\nerror: x");
    assert_eq!(f.id.len(), 16);
    assert!(f
        .id
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    assert_eq!(f.tool, "Bash");
    assert_eq!(f.head.as_deref(), Some("cargo test"));
}

#[test]
fn stable_across_temp_dirs_and_machines() {
    let a = bash(
        "cd /tmp/tmp.aB3dE9fGh2/shop && cargo build",
        "Exit code 101\n   Compiling shop v0.1.0 (/tmp/tmp.aB3dE9fGh2/shop)\nerror[E0425]: cannot find value `x` in this scope\n --> /tmp/tmp.aB3dE9fGh2/shop/src/main.rs:3:5\nerror: could not compile `shop` (bin \"shop\") due to 1 previous error",
    );
    let b = bash(
        "cargo build",
        "Exit code 101\n   Compiling shop v0.2.7 (/Users/bob/code/shop)\nerror[E0425]: cannot find value `x` in this scope\n --> /Users/bob/code/shop/src/main.rs:14:9\nerror: could not compile `shop` (bin \"shop\") due to 1 previous error",
    );
    same(&a, &b);
}

#[test]
fn stable_across_numbers_durations_timestamps() {
    let a = bash(
        "python -m pytest",
        "Exit code 1\n[2026-11-22 10:00:01] starting\nFAILED tests/test_calc.py::test_div - assert 2.0 == 3\n========================= 1 failed, 10 passed in 0.53s =========================",
    );
    let b = bash(
        "python3 -m pytest -x",
        "Exit code 1\n[2027-01-02 23:59:59] starting\nFAILED tests/test_calc.py::test_div - assert 4.0 == 5\n========================= 1 failed, 11 passed in 12.07s ========================",
    );
    same(&a, &b);
}

#[test]
fn stable_across_shas_ports_ips_pids_uuids() {
    let a = bash(
        "git push",
        "Exit code 1\nTo github.com:acme/shop.git\n ! [rejected]        3f2a9c1d..9b8c7d6e  main -> main (non-fast-forward)\nerror: failed to push some refs",
    );
    let b = bash(
        "git push origin main",
        "Exit code 1\nTo github.com:acme/shop.git\n ! [rejected]        0a1b2c3d4e..ffee12345  main -> main (non-fast-forward)\nerror: failed to push some refs",
    );
    same(&a, &b);

    let c = bash(
        "node server.js",
        "Exit code 1\nError: listen EADDRINUSE: address already in use 127.0.0.1:3000 (pid 4242)",
    );
    let d = bash(
        "node server.js",
        "Exit code 1\nError: listen EADDRINUSE: address already in use 10.0.0.7:8080 (pid 77)",
    );
    same(&c, &d);

    let e = fp_in("mcp__db__query", &json!({}), "MCP error -32603: request 123e4567-e89b-12d3-a456-426614174000 failed at 2026-11-22T10:00:01.123Z", "/a");
    let f = fp_in("mcp__db__query", &json!({}), "MCP error -32603: request 00000000-1111-2222-3333-444444444444 failed at 2026-12-01T08:30:00Z", "/b");
    same(&e, &f);

    let g = bash("docker rm -f web", "Exit code 1\nError response from daemon: cannot remove container 4f9a0b3c2d1e: container is running");
    let h = bash("docker rm -f web", "Exit code 1\nError response from daemon: cannot remove container 9e8d7c6b5a41: container is running");
    same(&g, &h);
}

#[test]
fn stable_across_memory_addresses_and_npm_logs() {
    let a = bash("npm ci", "Exit code 1\nnpm ERR! code ECONNRESET\nnpm ERR! A complete log of this run can be found in: /home/alice/.npm/_logs/2026-11-22T10_00_01_123Z-debug-0.log");
    let b = bash("npm ci --no-audit", "Exit code 1\nnpm ERR! code ECONNRESET\nnpm ERR! A complete log of this run can be found in: /root/.npm/_logs/2027-02-03T04_05_06_789Z-debug-0.log");
    same(&a, &b);
    let c = bash(
        "./app",
        "Exit code 139\nSegmentation fault at 0x7ffd5a3c1000 (core dumped)",
    );
    let d = bash(
        "./app",
        "Exit code 139\nSegmentation fault at 0x0000deadbeef (core dumped)",
    );
    same(&c, &d);
}

#[test]
fn sessions_and_cwd_do_not_matter() {
    let e = "Exit code 1\nModuleNotFoundError: No module named 'requests'";
    let input = json!({ "command": "python app.py", "description": "run it", "timeout": 120000 });
    let a = fp_in("Bash", &input, e, "/home/a/x");
    let b = fp_in("Bash", &json!({ "command": "python app.py" }), e, "/srv/y");
    same(&a, &b);
}

#[test]
fn different_failures_differ() {
    let base = bash(
        "python app.py",
        "Exit code 1\nModuleNotFoundError: No module named 'requests'",
    );
    // different missing module
    differ(
        &base,
        &bash(
            "python app.py",
            "Exit code 1\nModuleNotFoundError: No module named 'numpy'",
        ),
    );
    // different command head
    differ(
        &base,
        &bash(
            "python -m pytest",
            "Exit code 1\nModuleNotFoundError: No module named 'requests'",
        ),
    );
    // different tool
    differ(
        &bash("cat x", "Exit code 1\nPermission denied"),
        &fp_in(
            "Read",
            &json!({"file_path": "x"}),
            "Exit code 1\nPermission denied",
            "/",
        ),
    );
    // different exit code
    differ(
        &bash("grep x f", "Exit code 1"),
        &bash("grep x f", "Exit code 2"),
    );
    // different file in the error
    differ(
        &bash(
            "cargo build",
            "Exit code 101\nerror[E0425]: cannot find value `x`\n --> /w/src/main.rs:3:5",
        ),
        &bash(
            "cargo build",
            "Exit code 101\nerror[E0425]: cannot find value `x`\n --> /w/src/lib.rs:3:5",
        ),
    );
    // different error code
    differ(
        &bash(
            "cargo build",
            "Exit code 101\nerror[E0425]: cannot find value `x`",
        ),
        &bash(
            "cargo build",
            "Exit code 101\nerror[E0433]: cannot find value `x`",
        ),
    );
    // different Read target
    differ(
        &fp_in(
            "Read",
            &json!({"file_path": "/w/a.rs"}),
            "File does not exist.",
            "/",
        ),
        &fp_in(
            "Read",
            &json!({"file_path": "/w/b.rs"}),
            "File does not exist.",
            "/",
        ),
    );
    // different MCP server
    differ(
        &fingerprint(&Failure {
            tool_name: "mcp__x__q",
            tool_input: None,
            error: "MCP error -32603: boom",
            is_interrupt: false,
            mcp_server: Some("alpha"),
            cwd: None,
            project_dir: None,
        }),
        &fingerprint(&Failure {
            tool_name: "mcp__x__q",
            tool_input: None,
            error: "MCP error -32603: boom",
            is_interrupt: false,
            mcp_server: Some("beta"),
            cwd: None,
            project_dir: None,
        }),
    );
    // different HTTP status
    differ(
        &bash(
            "curl -f u",
            "Exit code 22\ncurl: (22) The requested URL returned error: 404",
        ),
        &bash(
            "curl -f u",
            "Exit code 22\ncurl: (22) The requested URL returned error: 500",
        ),
    );
}

#[test]
fn same_read_file_in_different_dirs_is_same() {
    same(
        &fp_in(
            "Read",
            &json!({"file_path": "/home/a/p/src/a.rs"}),
            "File does not exist.",
            "/",
        ),
        &fp_in(
            "Read",
            &json!({"file_path": "/tmp/x/src/a.rs"}),
            "File does not exist.",
            "/",
        ),
    );
}

#[test]
fn informative_lines_are_preferred_and_bounded() {
    let mut noise = String::from("Exit code 1\n");
    for i in 0..5000 {
        noise.push_str(&format!("   Compiling crate{i} v0.1.{i}\n"));
    }
    noise.push_str("error: linker `cc` not found\n");
    let f = bash("cargo build", &noise);
    assert_eq!(f.normalized_error, "exit 1\nerror: linker `cc` not found");
    let mut many = String::from("Exit code 1\n");
    for i in 0..2000 {
        many.push_str(&format!(
            "error: problem number {i} in module{}\n",
            "x".repeat(i % 50)
        ));
    }
    let g = bash("make", &many);
    assert!(g.normalized_error.len() <= 512);
}

#[test]
fn no_signal_lines_uses_first_and_last() {
    let f = bash(
        "./run.sh",
        "Exit code 3\nstarting\nstep 1\nstep 2\nstep 3\nbye",
    );
    // Lines that normalise alike count once.
    assert_eq!(f.normalized_error, "exit 3\nstarting\nstep <n>\nbye");
}

#[test]
fn interrupts_fingerprint_by_tool_and_head() {
    let mk = |cmd: &str, err: &str| {
        fingerprint(&Failure {
            tool_name: "Bash",
            tool_input: Some(&json!({ "command": cmd })),
            error: err,
            is_interrupt: true,
            mcp_server: None,
            cwd: None,
            project_dir: None,
        })
    };
    let a = mk("cargo test", "Exit code 130\nrunning 3 tests");
    let b = mk("cargo test -p x", "");
    same(&a, &b);
    differ(&a, &mk("npm test", ""));
    assert_eq!(a.normalized_error, "interrupted");
}

#[test]
fn huge_errors_are_capped() {
    let big = format!("Exit code 1\n{}\nerror: the end\n", "x".repeat(3 << 20));
    let f = bash("make", &big);
    assert!(f.normalized_error.len() <= 512);
    assert!(f.normalized_error.contains("error: the end"));
}
