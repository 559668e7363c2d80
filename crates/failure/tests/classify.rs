//! Realistic error texts from the tool families Claude Code runs, each with
//! its expected class, expected-ness, severity and deciding built-in rule.

use hookwatch_failure::{Class, Failure, Rules, Severity, Verdict};
use serde_json::{json, Value};

struct Case {
    tool: &'static str,
    input: Value,
    error: &'static str,
    interrupt: bool,
    class: Class,
    expected: bool,
    severity: Severity,
    rule: &'static str,
}

fn bash(
    cmd: &str,
    error: &'static str,
    class: Class,
    expected: bool,
    severity: Severity,
    rule: &'static str,
) -> Case {
    Case {
        tool: "Bash",
        input: json!({ "command": cmd }),
        error,
        interrupt: false,
        class,
        expected,
        severity,
        rule,
    }
}

fn tool(
    tool: &'static str,
    input: Value,
    error: &'static str,
    class: Class,
    severity: Severity,
    rule: &'static str,
) -> Case {
    Case {
        tool,
        input,
        error,
        interrupt: false,
        class,
        expected: false,
        severity,
        rule,
    }
}

fn verdict(tool: &str, input: &Value, error: &str, interrupt: bool) -> Verdict {
    let rules = Rules::new(&[]).unwrap();
    let f = Failure {
        tool_name: tool,
        tool_input: Some(input),
        error,
        is_interrupt: interrupt,
        mcp_server: None,
        cwd: Some("/nonexistent-project"),
        project_dir: None,
    };
    let (v, errors) = rules.classify(&f);
    assert!(errors.is_empty());
    v
}

use Class::*;
use Severity::{Error as Err, Info, Warning};

fn cases() -> Vec<Case> {
    vec![
        // --- cargo / rustc
        bash("cargo build", "Exit code 101\n   Compiling shop v0.1.0 (/work/shop)\nerror[E0425]: cannot find value `x` in this scope\n --> src/main.rs:3:5\n  |\n3 |     x\n  |     ^ not found in this scope\n\nFor more information about this error, try `rustc --explain E0425`.\nerror: could not compile `shop` (bin \"shop\") due to 1 previous error", Syntax, false, Warning, "rust-compile"),
        bash("cargo test", "Exit code 101\n    Finished `test` profile [unoptimized + debuginfo] target(s) in 0.53s\n     Running unittests src/lib.rs (target/debug/deps/shop-1a2b3c4d5e6f7a8b)\n\nrunning 2 tests\ntest tests::adds ... ok\ntest tests::subtracts ... FAILED\n\nfailures:\n\n---- tests::subtracts stdout ----\n\nthread 'tests::subtracts' panicked at src/lib.rs:12:9:\nassertion `left == right` failed\n  left: 1\n right: 2\n\nfailures:\n    tests::subtracts\n\ntest result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s\n\nerror: test failed, to rerun pass `--lib`", Test, true, Info, "test-failures"),
        bash("cargo test", "Exit code 101\n   Compiling shop v0.1.0 (/work/shop)\nerror[E0433]: failed to resolve: use of undeclared crate or module `serde`\n --> src/lib.rs:1:5\nerror: could not compile `shop` (lib test) due to 1 previous error", Syntax, false, Warning, "rust-compile"),
        bash("cargo nextest run", "Exit code 101\nerror: no such command: `nextest`\n\n\tView all installed commands with `cargo --list`\n\tFind a package to install `nextest` with `cargo search cargo-nextest`", MissingDependency, false, Warning, "cargo-no-such-command"),
        bash("cargo build --target thumbv7em-none-eabihf", "Exit code 101\nerror[E0463]: can't find crate for `core`\n  |\n  = note: the `thumbv7em-none-eabihf` target may not be installed", MissingDependency, false, Warning, "rust-missing-crate"),
        // --- npm / pnpm / yarn / node
        bash("npm run build", "Exit code 1\nnode:internal/modules/cjs/loader:1228\n  throw err;\n  ^\n\nError: Cannot find module 'express'\nRequire stack:\n- /home/u/app/server.js\n    at Module._resolveFilename (node:internal/modules/cjs/loader:1225:15) {\n  code: 'MODULE_NOT_FOUND',\n  requireStack: [ '/home/u/app/server.js' ]\n}\n\nNode.js v20.11.0", MissingDependency, false, Warning, "node-module-not-found"),
        bash("node index.mjs", "Exit code 1\nnode:internal/errors:496\n    ErrorCaptureStackTrace(err);\n    ^\n\nError [ERR_MODULE_NOT_FOUND]: Cannot find package 'zod' imported from /work/app/index.mjs\n    at packageResolve (node:internal/modules/esm/resolve:844:9) {\n  code: 'ERR_MODULE_NOT_FOUND'\n}", MissingDependency, false, Warning, "node-module-not-found"),
        bash("npm install", "Exit code 254\nnpm ERR! code ENOENT\nnpm ERR! syscall open\nnpm ERR! path /work/app/package.json\nnpm ERR! errno -2\nnpm ERR! enoent ENOENT: no such file or directory, open '/work/app/package.json'\nnpm ERR! enoent This is related to npm not being able to find a file.\n\nnpm ERR! A complete log of this run can be found in: /home/u/.npm/_logs/2026-11-22T10_00_01_123Z-debug-0.log", Other, false, Warning, "file-not-found"),
        bash("npm run lint", "Exit code 1\nnpm ERR! Missing script: \"lint\"\nnpm ERR! \nnpm ERR! To see a list of scripts, run:\nnpm ERR!   npm run", MissingDependency, false, Warning, "npm-missing-script"),
        bash("pnpm install --frozen-lockfile", "Exit code 1\n ERR_PNPM_OUTDATED_LOCKFILE  Cannot install with \"frozen-lockfile\" because pnpm-lock.yaml is not up to date with package.json", MissingDependency, false, Warning, "pnpm-lockfile"),
        bash("pnpm tsc --noEmit", "Exit code 1\n ERR_PNPM_RECURSIVE_EXEC_FIRST_FAIL  Command \"tsc\" not found", MissingDependency, false, Warning, "command-not-found"),
        bash("tsc --noEmit", "Exit code 127\nzsh: command not found: tsc", MissingDependency, false, Warning, "command-not-found"),
        bash("npm test", "Exit code 1\n\n> app@1.0.0 test\n> jest\n\nsh: 1: jest: not found", MissingDependency, false, Warning, "command-not-found"),
        bash("node app.js", "Exit code 1\n/work/app/app.js:3\n  const x = ;\n            ^\n\nSyntaxError: Unexpected token ';'\n    at internalCompileFunction (node:internal/vm:76:18)\n\nNode.js v20.11.0", Syntax, false, Warning, "syntax-error"),
        bash("node app.js", "Exit code 1\n/work/app/app.js:7\n    user.name.toUpperCase();\n              ^\n\nTypeError: Cannot read properties of undefined (reading 'toUpperCase')\n    at main (/work/app/app.js:7:15)\n\nNode.js v20.11.0", Other, false, Warning, "runtime-error"),
        bash("npx tsc --noEmit", "Exit code 2\nsrc/index.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.", Syntax, false, Warning, "ts-compile"),
        // --- jest / vitest / mocha
        bash("npx jest", "Exit code 1\n FAIL  src/sum.test.js\n  ● adds 1 + 2 to equal 3\n\n    expect(received).toBe(expected) // Object.is equality\n\n    Expected: 3\n    Received: 4\n\nTest Suites: 1 failed, 1 total\nTests:       1 failed, 1 total\nSnapshots:   0 total\nTime:        0.512 s\nRan all test suites.", Test, true, Info, "test-failures"),
        bash("npx jest", "Exit code 1\n FAIL  src/app.test.js\n  ● Test suite failed to run\n\n    Cannot find module 'supertest' from 'src/app.test.js'\n\nTest Suites: 1 failed, 1 total\nTests:       0 total", MissingDependency, false, Warning, "node-module-not-found"),
        bash("pnpm vitest run", "Exit code 1\n ❯ src/math.test.ts (2 tests | 1 failed) 4ms\n   × math > divides 3ms\n     → expected 2 to be 3 // Object.is equality\n\n Test Files  1 failed (1)\n      Tests  1 failed | 1 passed (2)\n   Start at  10:00:01\n   Duration  312ms", Test, true, Info, "test-failures"),
        bash("npx mocha", "Exit code 2\n\n  Array\n    1) should return -1\n\n  0 passing (5ms)\n  1 failing\n\n  1) Array\n       should return -1:\n     AssertionError [ERR_ASSERTION]: 0 == -1", Test, true, Info, "test-failures"),
        bash("bundle exec rspec", "Exit code 1\nFailures:\n\n  1) User is valid\n     Failure/Error: expect(user).to be_valid\n\nFinished in 0.12 seconds (files took 1.1 seconds to load)\n3 examples, 1 failure", Test, true, Info, "test-failures"),
        // --- python
        bash("python -m pytest", "Exit code 1\n============================= test session starts ==============================\nplatform linux -- Python 3.12.1, pytest-8.0.0\ncollected 12 items\n\ntests/test_calc.py ..F.......F.                                          [100%]\n\n=================================== FAILURES ===================================\n___________________________________ test_div ___________________________________\n\n    def test_div():\n>       assert div(4, 2) == 3\nE       assert 2.0 == 3\n\ntests/test_calc.py:9: AssertionError\n=========================== short test summary info ============================\nFAILED tests/test_calc.py::test_div - assert 2.0 == 3\nFAILED tests/test_calc.py::test_mul - assert 6 == 5\n========================= 2 failed, 10 passed in 0.53s =========================", Test, true, Info, "test-failures"),
        bash("pytest", "Exit code 2\n==================================== ERRORS ====================================\n____________________ ERROR collecting tests/test_api.py ____________________\nImportError while importing test module '/work/app/tests/test_api.py'.\nTraceback:\ntests/test_api.py:1: in <module>\n    import requests\nE   ModuleNotFoundError: No module named 'requests'\n=========================== short test summary info ============================\nERROR tests/test_api.py\n!!!!!!!!!!!!!!!!!!!! Interrupted: 1 error during collection !!!!!!!!!!!!!!!!!!!!\n=============================== 1 error in 0.12s ===============================", MissingDependency, false, Warning, "python-module-not-found"),
        bash("python3 main.py", "Exit code 1\nTraceback (most recent call last):\n  File \"/work/app/main.py\", line 1, in <module>\n    import yaml\nModuleNotFoundError: No module named 'yaml'", MissingDependency, false, Warning, "python-module-not-found"),
        bash("python main.py", "Exit code 1\n  File \"/work/app/main.py\", line 4\n    if x == 1\n             ^\nSyntaxError: expected ':'", Syntax, false, Warning, "syntax-error"),
        bash("python main.py", "Exit code 1\n  File \"/work/app/main.py\", line 5\n    return x\nIndentationError: unexpected indent", Syntax, false, Warning, "syntax-error"),
        bash("python main.py", "Exit code 1\nTraceback (most recent call last):\n  File \"/work/app/main.py\", line 2, in <module>\n    from app.models import Usr\nImportError: cannot import name 'Usr' from 'app.models' (/work/app/app/models.py)", MissingDependency, false, Warning, "python-import-error"),
        // --- go
        bash("go test ./...", "Exit code 1\n--- FAIL: TestAdd (0.00s)\n    calc_test.go:9: Add(1, 2) = 4; want 3\nFAIL\nFAIL\texample.com/calc\t0.003s\nFAIL", Test, true, Info, "test-failures"),
        bash("go build ./...", "Exit code 1\n# example.com/app\n./main.go:3:2: undefined: x\n./main.go:8:6: y declared and not used", Syntax, false, Warning, "compile-error"),
        bash("go test ./...", "Exit code 1\n# example.com/app [example.com/app.test]\n./main_test.go:5:2: undefined: Foo\nFAIL\texample.com/app [build failed]\nFAIL", Syntax, false, Warning, "compile-error"),
        bash("go build", "Exit code 1\nmain.go:4:2: cannot find package \"github.com/pkg/errors\" in any of:\n\t/usr/local/go/src/github.com/pkg/errors (from $GOROOT)", MissingDependency, false, Warning, "go-package-missing"),
        bash("go build", "Exit code 127\nbash: go: command not found", MissingDependency, false, Warning, "command-not-found"),
        // --- git
        bash("git status", "Exit code 128\nfatal: not a git repository (or any of the parent directories): .git", Other, false, Warning, "git-not-a-repo"),
        bash("git push origin main", "Exit code 1\nTo github.com:acme/shop.git\n ! [rejected]        main -> main (non-fast-forward)\nerror: failed to push some refs to 'github.com:acme/shop.git'\nhint: Updates were rejected because the tip of your current branch is behind", Other, false, Warning, "git-non-fast-forward"),
        bash("git fetch", "Exit code 128\nfatal: unable to access 'https://github.com/acme/shop.git/': Could not resolve host: github.com", Network, false, Err, "dns"),
        bash("git push", "Exit code 128\ngit@github.com: Permission denied (publickey).\nfatal: Could not read from remote repository.\n\nPlease make sure you have the correct access rights\nand the repository exists.", Permission, false, Err, "ssh-auth"),
        bash("git merge feature", "Exit code 1\nAuto-merging src/lib.rs\nCONFLICT (content): Merge conflict in src/lib.rs\nAutomatic merge failed; fix conflicts and then commit the result.", Other, false, Warning, "git-merge-conflict"),
        bash("git diff --exit-code", "Exit code 1\ndiff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b", Other, true, Info, "git-diff-exit-code"),
        // --- docker
        bash("docker ps", "Exit code 1\nCannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?", Network, false, Err, "docker-daemon"),
        bash("docker ps", "Exit code 1\npermission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get \"http://%2Fvar%2Frun%2Fdocker.sock/v1.24/containers/json\": dial unix /var/run/docker.sock: connect: permission denied", Permission, false, Err, "docker-socket-permission"),
        bash("docker pull acme/private:1.2", "Exit code 1\nError response from daemon: pull access denied for acme/private, repository does not exist or may require 'docker login': denied: requested access to the resource is denied", MissingDependency, false, Warning, "docker-image-missing"),
        bash("docker run --rm myimg", "Exit code 125\nUnable to find image 'myimg:latest' locally\ndocker: Error response from daemon: pull access denied for myimg", MissingDependency, false, Warning, "docker-image-missing"),
        // --- curl
        bash("curl -fsS https://api.example.com/v1/x", "Exit code 6\ncurl: (6) Could not resolve host: api.example.com", Network, false, Err, "dns"),
        bash("curl localhost:8080/health", "Exit code 7\ncurl: (7) Failed to connect to localhost port 8080 after 0 ms: Couldn't connect to server", Network, false, Err, "connection-refused"),
        bash("curl -m 5 https://slow.example.com", "Exit code 28\ncurl: (28) Operation timed out after 5001 milliseconds with 0 bytes received", Network, false, Err, "network-timeout"),
        bash("curl -f https://example.com/missing", "Exit code 22\ncurl: (22) The requested URL returned error: 404", Network, false, Err, "http-error"),
        bash("curl https://self-signed.badssl.com", "Exit code 60\ncurl: (60) SSL certificate problem: self-signed certificate\nMore details here: https://curl.se/docs/sslcerts.html", Network, false, Err, "tls"),
        // --- shell
        bash("foo --version", "Exit code 127\nbash: line 1: foo: command not found", MissingDependency, false, Warning, "command-not-found"),
        bash("./configure", "Exit code 127\nbash: ./configure: No such file or directory", Other, false, Warning, "file-not-found"),
        bash("cat /etc/shadow", "Exit code 1\ncat: /etc/shadow: Permission denied", Permission, false, Err, "permission-denied"),
        bash("ls /nope", "Exit code 2\nls: cannot access '/nope': No such file or directory", Other, false, Warning, "file-not-found"),
        bash("bash deploy.sh", "Exit code 2\ndeploy.sh: line 12: syntax error near unexpected token `fi'\ndeploy.sh: line 12: `fi'", Syntax, false, Warning, "syntax-error"),
        bash("make deploy", "Exit code 2\nmake: *** No rule to make target 'deploy'.  Stop.", MissingDependency, false, Warning, "make-no-rule"),
        bash("grep -rn TODO src", "Exit code 1", Other, true, Info, "grep-no-match"),
        bash("rg foo", "Exit code 1\n", Other, true, Info, "grep-no-match"),
        bash("grep -rn TODO nosuchdir", "Exit code 2\ngrep: nosuchdir: No such file or directory", Other, false, Warning, "file-not-found"),
        bash("diff a.txt b.txt", "Exit code 1\n1c1\n< a\n---\n> b", Other, true, Info, "diff-differences"),
        bash("test -f .env", "Exit code 1", Other, true, Info, "test-false"),
        bash("which rustfmt", "Exit code 1\nrustfmt not found", Other, true, Info, "which-missing"),
        bash("command -v pnpm", "Exit code 1", Other, true, Info, "which-missing"),
        bash("pgrep -f vite", "Exit code 1", Other, true, Info, "pgrep-no-process"),
        bash("npm run e2e", "Command timed out after 2m 0.0s\n> e2e\n> playwright test\nRunning 40 tests using 2 workers", Timeout, false, Err, "bash-timeout"),
        bash("cargo build -j8", "Exit code 137\n   Compiling huge v0.1.0\nKilled", Other, false, Err, "oom-killed"),
        bash("psql -h localhost", "Exit code 2\npsql: error: connection to server at \"localhost\" (127.0.0.1), port 5432 failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?", Network, false, Err, "connection-refused"),
        bash("npm install", "Exit code 1\nnpm ERR! code EAI_AGAIN\nnpm ERR! syscall getaddrinfo\nnpm ERR! errno EAI_AGAIN\nnpm ERR! request to https://registry.npmjs.org/left-pad failed, reason: getaddrinfo EAI_AGAIN registry.npmjs.org", Network, false, Err, "dns"),
        bash("npm install", "Exit code 1\nnpm ERR! code EACCES\nnpm ERR! syscall mkdir\nnpm ERR! path /usr/local/lib/node_modules/typescript\nnpm ERR! errno -13\nnpm ERR! Error: EACCES: permission denied, mkdir '/usr/local/lib/node_modules/typescript'", Permission, false, Err, "permission-denied"),
        bash("node fetch.js", "Exit code 1\nError: connect ECONNRESET 104.16.0.1:443\n    at TLSWrap.onStreamRead (node:internal/stream_base_commons:217:20)", Network, false, Err, "connection-reset"),
        bash("pip install requests", "Exit code 1\nWARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by 'SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)'))'", Network, false, Err, "tls"),
        bash("./run.sh", "Exit code 1\nsome output\nmore output", Other, false, Warning, "unknown"),
        // --- Claude Code file tools
        tool("Read", json!({"file_path": "/work/app/src/mian.rs"}), "File does not exist.", Other, Warning, "file-not-found"),
        tool("Read", json!({"file_path": "/work/app/src"}), "EISDIR: illegal operation on a directory, read", Other, Warning, "is-a-directory"),
        tool("Read", json!({"file_path": "/etc/shadow"}), "EACCES: permission denied, open '/etc/shadow'", Permission, Err, "permission-denied"),
        tool("Edit", json!({"file_path": "/work/app/a.rs", "old_string": "x", "new_string": "y"}), "String to replace not found in file.\nString: fn mian()", Other, Warning, "edit-no-match"),
        tool("Edit", json!({"file_path": "/work/app/a.rs"}), "Found 3 matches of the string to replace, but replace_all is false. To replace all occurrences, set replace_all to true.", Other, Warning, "edit-multiple-matches"),
        tool("Write", json!({"file_path": "/work/app/a.rs"}), "File has not been read yet. Read it first before writing to it.", Other, Warning, "edit-not-read"),
        tool("Read", json!({"file_path": "/work/app/big.log"}), "File content (412345 tokens) exceeds maximum allowed tokens (25000). Please use offset and limit parameters to read specific portions of the file.", Other, Warning, "file-too-large"),
        tool("WebFetch", json!({"url": "https://internal.example"}), "getaddrinfo ENOTFOUND internal.example", Network, Err, "dns"),
        // --- MCP
        tool("mcp__postgres__query", json!({"sql": "select 1"}), "Error: connect ECONNREFUSED 127.0.0.1:5432", McpServer, Err, "mcp-error"),
        tool("mcp__github__create_issue", json!({}), "MCP error -32603: Internal error: Bad credentials", McpServer, Err, "mcp-error"),
        tool("mcp__linear__list", json!({}), "MCP server \"linear\" is not connected", McpServer, Err, "mcp-not-connected"),
        tool("mcp__fs__read", json!({}), "MCP error -32000: Connection closed", McpServer, Err, "mcp-connection-closed"),
        tool("mcp__fs__nope", json!({}), "MCP error -32601: Tool nope not found", McpServer, Err, "mcp-tool-not-found"),
    ]
}

#[test]
fn realistic_errors() {
    let cases = cases();
    assert!(cases.len() >= 40);
    let mut bad = Vec::new();
    for c in &cases {
        let v = verdict(c.tool, &c.input, c.error, c.interrupt);
        let got = (v.class, v.expected, v.severity, v.rule.as_str());
        let want = (
            c.class,
            c.expected,
            c.severity,
            &*format!("builtin:{}", c.rule),
        );
        if got != want {
            bad.push(format!(
                "{} {:?}: got {got:?}, want {want:?}",
                c.tool,
                c.input.get("command").or(c.input.get("file_path"))
            ));
        }
        assert_eq!(v.fingerprint.id.len(), 16);
        assert!(v.fingerprint.normalized_error.len() <= 512);
        if let Some(a) = &v.advice {
            assert!(a.text.len() <= 300, "advice too long: {}", a.text);
        }
    }
    assert!(
        bad.is_empty(),
        "{} mismatches:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn interrupts() {
    let v = verdict(
        "Bash",
        &json!({"command": "cargo build"}),
        "Exit code 130\n   Compiling x",
        true,
    );
    assert_eq!((v.class, v.expected, v.severity), (Interrupted, true, Info));
    assert_eq!(v.fingerprint.normalized_error, "interrupted");
    let w = verdict(
        "Bash",
        &json!({"command": "cargo build --release"}),
        "",
        true,
    );
    assert_eq!(v.fingerprint.id, w.fingerprint.id);
    let r = verdict("Read", &json!({"file_path": "/x"}), "Interrupted", true);
    assert_ne!(v.fingerprint.id, r.fingerprint.id);
}

#[test]
fn all_builtin_ids_are_reachable_or_listed() {
    let ids: Vec<&str> = hookwatch_failure::builtin_rules()
        .iter()
        .map(|b| b.id)
        .collect();
    for c in cases() {
        assert!(ids.contains(&c.rule), "{} not in builtin_rules()", c.rule);
    }
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), ids.len(), "duplicate ids");
    for b in hookwatch_failure::builtin_rules() {
        if let Some(a) = b.advice {
            assert!(a.len() <= 300);
        }
        assert!(b.severity != Severity::Critical);
    }
}
