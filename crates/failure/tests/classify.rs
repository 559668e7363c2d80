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
        // --- Remote services, CI and deploy tools (issue #10, item 5): real
        // error texts as terraform, kubectl, the aws/gcloud/az CLIs, helm,
        // gh, docker, pip, npm and curl print them (ids, hosts and names
        // replaced). The class decision is in the docs of classify.rs.
        // The deploy failure from the issue.
        bash("./scripts/deploy.sh production", "Exit code 1\nDeploying web@3f2c1a9 to production...\nError: deploy failed: upstream 502 from api.internal", Network, false, Err, "http-5xx"),
        // curl
        bash("curl -fsS https://api.internal/v1/health", "Exit code 22\ncurl: (22) The requested URL returned error: 502", Network, false, Err, "http-5xx"),
        bash("curl -fsS https://api.example.com/v1/items", "Exit code 22\ncurl: (22) The requested URL returned error: 429", Network, false, Err, "rate-limited"),
        bash("curl -sS https://api.example.com/v1/items", "Exit code 56\ncurl: (56) Recv failure: Connection reset by peer", Network, false, Err, "connection-reset"),
        bash("curl -sS https://api.example.com/v1/items", "Exit code 52\ncurl: (52) Empty reply from server", Network, false, Err, "connection-reset"),
        bash("curl -f localhost:3000/api/users", "Exit code 22\ncurl: (22) The requested URL returned error: 500", Other, false, Warning, "local-http-error"),
        // terraform
        bash("terraform plan", "Exit code 1\n╷\n│ Error: configuring Terraform AWS Provider: no valid credential sources for Terraform AWS Provider found.\n│ \n│ Please see https://registry.terraform.io/providers/hashicorp/aws\n│ for more information about providing credentials.\n│ \n│ AWS Error: failed to refresh cached credentials, no EC2 IMDS role found, operation error ec2imds: GetMetadata, request canceled, context deadline exceeded\n│ \n│ \n│   with provider[\"registry.terraform.io/hashicorp/aws\"],\n│   on main.tf line 10, in provider \"aws\":\n│   10: provider \"aws\" {\n│ \n╵", Permission, false, Err, "cli-credentials"),
        bash("terraform apply -auto-approve", "Exit code 1\nAcquiring state lock. This may take a few moments...\n╷\n│ Error: Error acquiring the state lock\n│ \n│ Error message: ConditionalCheckFailedException: The conditional request\n│ failed\n│ Lock Info:\n│   ID:        f9763602-b03f-e35c-da30-4083cdbb99ae\n│   Path:      acme-tf-state/prod/terraform.tfstate\n│   Operation: OperationTypeApply\n│   Who:       runner@ci-7f9c\n│   Version:   1.5.7\n│   Created:   2024-03-11 09:12:44.123456789 +0000 UTC\n│   Info:      \n│ \n│ \n│ Terraform acquires a state lock to protect the state from being written\n│ by multiple users at the same time. Please resolve the issue above and try\n│ again. For most commands, you can disable locking with the \"-lock=false\"\n│ flag, but this is not recommended.\n╵", Other, false, Warning, "remote-lock"),
        bash("terraform init", "Exit code 1\nInitializing the backend...\nInitializing provider plugins...\n- Finding hashicorp/aws versions matching \"~> 5.0\"...\n╷\n│ Error: Failed to query available provider packages\n│ \n│ Could not retrieve the list of available versions for provider hashicorp/aws: could not connect to registry.terraform.io: failed to request discovery document: Get \"https://registry.terraform.io/.well-known/terraform.json\": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)\n╵", Network, false, Err, "network-timeout"),
        bash("terraform init", "Exit code 1\nInitializing provider plugins...\n- Finding latest version of hashicorp/awss...\n╷\n│ Error: Failed to query available provider packages\n│ \n│ Could not retrieve the list of available versions for provider hashicorp/awss: provider registry registry.terraform.io does not have a provider named registry.terraform.io/hashicorp/awss\n│ \n│ All modules should specify their required_providers so that external consumers will get the correct providers when using a module. To see which modules are currently depending on hashicorp/awss, run the following command:\n│     terraform providers\n╵", MissingDependency, false, Warning, "package-not-found"),
        bash("terraform init", "Exit code 1\n╷\n│ Error: Failed to install provider\n│ \n│ Error while installing hashicorp/aws v5.31.0: could not query provider registry for registry.terraform.io/hashicorp/aws: the request failed after 2 attempts, please try again later: Get \"https://registry.terraform.io/v1/providers/hashicorp/aws/versions\": dial tcp: lookup registry.terraform.io on 127.0.0.53:53: no such host\n╵", Network, false, Err, "dns"),
        bash("terraform apply -auto-approve", "Exit code 1\naws_instance.web: Creating...\n╷\n│ Error: creating EC2 Instance: operation error EC2: RunInstances, https response error StatusCode: 403, RequestID: 5f2f1e1c-8f0e-4a7a-9b51-0c7c2d1f3e4a, api error UnauthorizedOperation: You are not authorized to perform this operation.\n│ \n│   with aws_instance.web,\n│   on main.tf line 12, in resource \"aws_instance\" \"web\":\n│   12: resource \"aws_instance\" \"web\" {\n│ \n╵", Permission, false, Err, "http-auth"),
        bash("terraform apply -auto-approve", "Exit code 1\n╷\n│ Error: error waiting for CloudFormation Stack (acme-prod) creation: ThrottlingException: Rate exceeded\n│ \tstatus code: 400, request id: 0d1f2e3c-4b5a-6978-8a9b-0c1d2e3f4a5b\n│ \n│   with aws_cloudformation_stack.main,\n│   on stack.tf line 1, in resource \"aws_cloudformation_stack\" \"main\":\n│    1: resource \"aws_cloudformation_stack\" \"main\" {\n│ \n╵", Network, false, Err, "rate-limited"),
        bash("terraform plan", "Exit code 1\n╷\n│ Error: reading S3 Bucket (acme-artifacts): operation error S3: HeadBucket, https response error StatusCode: 503, RequestID: 7QW2B3K9XQ1Z, HostID: q1w2e3r4t5y6u7i8o9p0=, api error ServiceUnavailable: Service Unavailable\n│ \n│   with aws_s3_bucket.artifacts,\n│   on s3.tf line 1, in resource \"aws_s3_bucket\" \"artifacts\":\n│    1: resource \"aws_s3_bucket\" \"artifacts\" {\n│ \n╵", Network, false, Err, "http-5xx"),
        bash("terraform apply -auto-approve", "Exit code 1\n╷\n│ Error: Error creating Network: googleapi: Error 403: Required 'compute.networks.create' permission for 'projects/acme-prod/global/networks/vpc-main', forbidden\n│ \n│   with google_compute_network.main,\n│   on network.tf line 1, in resource \"google_compute_network\" \"main\":\n│    1: resource \"google_compute_network\" \"main\" {\n│ \n╵", Permission, false, Err, "http-auth"),
        bash("terraform plan", "Exit code 1\n╷\n│ Error: building account: could not acquire access token to parse claims: running Azure CLI: exit status 1: ERROR: Please run 'az login' to setup account.\n│ \n│   with provider[\"registry.terraform.io/hashicorp/azurerm\"],\n│   on main.tf line 1, in provider \"azurerm\":\n│    1: provider \"azurerm\" {\n│ \n╵", Permission, false, Err, "cli-credentials"),
        // kubectl
        bash("kubectl get pods", "Exit code 1\nE0311 09:12:44.123456    4242 memcache.go:265] couldn't get current server API group list: Get \"http://localhost:8080/api?timeout=32s\": dial tcp 127.0.0.1:8080: connect: connection refused\nThe connection to the server localhost:8080 was refused - did you specify the right host or port?", Network, false, Err, "connection-refused"),
        bash("kubectl get nodes", "Exit code 1\nUnable to connect to the server: dial tcp: lookup acme-prod-dns-4f3a2b1c.hcp.westeurope.azmk8s.io on 127.0.0.53:53: no such host", Network, false, Err, "dns"),
        bash("kubectl apply -f deploy.yaml", "Exit code 1\nUnable to connect to the server: x509: certificate signed by unknown authority", Network, false, Err, "tls"),
        bash("kubectl get pods -n prod", "Exit code 1\nUnable to connect to the server: net/http: TLS handshake timeout", Network, false, Err, "network-timeout"),
        bash("kubectl get svc -n prod", "Exit code 1\nUnable to connect to the server: dial tcp 10.20.0.4:443: i/o timeout", Network, false, Err, "network-timeout"),
        bash("kubectl get pods", "Exit code 1\nerror: You must be logged in to the server (Unauthorized)", Permission, false, Err, "cli-credentials"),
        bash("kubectl get deployments", "Exit code 1\nerror: You must be logged in to the server (the server has asked for the client to provide credentials)", Permission, false, Err, "cli-credentials"),
        bash("kubectl get pods", "Exit code 1\nUnable to connect to the server: getting credentials: exec: executable aws failed with exit code 255", Permission, false, Err, "cli-credentials"),
        bash("kubectl get pods -n prod", "Exit code 1\nError from server (Forbidden): pods is forbidden: User \"system:serviceaccount:ci:deployer\" cannot list resource \"pods\" in API group \"\" in the namespace \"prod\"", Permission, false, Err, "http-auth"),
        bash("kubectl rollout restart deployment/web -n prod", "Exit code 1\nError from server (NotFound): deployments.apps \"web\" not found", Other, false, Warning, "resource-not-found"),
        bash("kubectl apply -f ingress.yaml", "Exit code 1\nError from server (InternalError): error when creating \"ingress.yaml\": Internal error occurred: failed calling webhook \"validate.nginx.ingress.kubernetes.io\": failed to call webhook: Post \"https://ingress-nginx-controller-admission.ingress-nginx.svc:443/networking/v1/ingresses?timeout=10s\": context deadline exceeded", Network, false, Err, "http-5xx"),
        bash("kubectl top nodes", "Exit code 1\nError from server (ServiceUnavailable): the server is currently unable to handle the request (get nodes.metrics.k8s.io)", Network, false, Err, "http-5xx"),
        bash("kubectl get pods -A", "Exit code 1\nError from server (TooManyRequests): the server has received too many requests and has asked us to try again later (get pods)", Network, false, Err, "rate-limited"),
        // aws CLI
        bash("aws s3 ls", "Exit code 253\n\nUnable to locate credentials. You can configure credentials by running \"aws configure\".", Permission, false, Err, "cli-credentials"),
        bash("aws sts get-caller-identity", "Exit code 254\n\nAn error occurred (ExpiredToken) when calling the GetCallerIdentity operation: The security token included in the request is expired", Permission, false, Err, "cli-credentials"),
        bash("aws s3 cp build.zip s3://acme-artifacts/", "Exit code 1\nupload failed: ./build.zip to s3://acme-artifacts/build.zip An error occurred (AccessDenied) when calling the PutObject operation: Access Denied", Permission, false, Err, "http-auth"),
        bash("aws cloudformation describe-stacks --stack-name acme-prod", "Exit code 254\n\nAn error occurred (Throttling) when calling the DescribeStacks operation (reached max retries: 2): Rate exceeded", Network, false, Err, "rate-limited"),
        bash("aws ec2 describe-instances --region us-east-1", "Exit code 255\n\nCould not connect to the endpoint URL: \"https://ec2.us-east-1.amazonaws.com/\"", Network, false, Err, "connection-reset"),
        bash("aws s3 ls s3://acme-artefacts", "Exit code 254\n\nAn error occurred (NoSuchBucket) when calling the ListObjectsV2 operation: The specified bucket does not exist", Other, false, Warning, "resource-not-found"),
        bash("aws lambda invoke --function-name orders-api out.json", "Exit code 254\n\nAn error occurred (ResourceNotFoundException) when calling the Invoke operation: Function not found: arn:aws:lambda:us-east-1:123456789012:function:orders-api", Other, false, Warning, "resource-not-found"),
        bash("aws dynamodb describe-table --table-name orders", "Exit code 254\n\nAn error occurred (InternalServerError) when calling the DescribeTable operation (reached max retries: 2): Internal server error", Network, false, Err, "http-5xx"),
        // gcloud
        bash("gcloud container clusters get-credentials prod --region europe-west1", "Exit code 1\nERROR: (gcloud.container.clusters.get-credentials) There was a problem refreshing your current auth tokens: ('invalid_grant: Bad Request', {'error': 'invalid_grant', 'error_description': 'Bad Request'})\nPlease run:\n\n  $ gcloud auth login\n\nto obtain new credentials.\n\nIf you have already logged in with a different account, run:\n\n  $ gcloud config set account ACCOUNT\n\nto select an already authenticated account to use.", Permission, false, Err, "cli-credentials"),
        bash("gcloud run deploy api --source .", "Exit code 1\nERROR: (gcloud.run.deploy) PERMISSION_DENIED: Permission 'run.services.get' denied on resource 'namespaces/acme-prod/services/api' (or resource may not exist). This command is authenticated as ci@acme-prod.iam.gserviceaccount.com which is the active account specified by the [core/account] property.", Permission, false, Err, "http-auth"),
        bash("gcloud app deploy", "Exit code 1\nERROR: (gcloud.app.deploy) HttpError accessing <https://appengine.googleapis.com/v1/apps/acme-prod/services/default/versions?alt=json>: response: <{'status': '503', 'content-length': '122', 'x-xss-protection': '0', 'content-type': 'application/json; charset=UTF-8'}>, content <{\n  \"error\": {\n    \"code\": 503,\n    \"message\": \"The service is currently unavailable.\",\n    \"status\": \"UNAVAILABLE\"\n  }\n}\n>", Network, false, Err, "http-5xx"),
        bash("gcloud compute instances list", "Exit code 1\nERROR: gcloud crashed (ConnectionError): HTTPSConnectionPool(host='compute.googleapis.com', port=443): Max retries exceeded with url: /compute/v1/projects/acme-prod/aggregated/instances?alt=json (Caused by NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x7f3b2c1d5e50>: Failed to establish a new connection: [Errno -3] Temporary failure in name resolution'))", Network, false, Err, "dns"),
        bash("gcloud container clusters describe prod --zone europe-west1-b", "Exit code 1\nERROR: (gcloud.container.clusters.describe) ResponseError: code=404, message=Not found: projects/acme-prod/zones/europe-west1-b/clusters/prod.\nNo cluster named 'prod' in acme-prod.", Other, false, Warning, "resource-not-found"),
        bash("gcloud compute instances list", "Exit code 1\nERROR: (gcloud.compute.instances.list) Some requests did not succeed:\n - Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute' of service 'compute.googleapis.com' for consumer 'project_number:123456789012'.", Network, false, Err, "rate-limited"),
        // az
        bash("az account get-access-token", "Exit code 1\nERROR: AADSTS700082: The refresh token has expired due to inactivity. The token was issued on 2024-01-05T11:50:24.4394320Z and was inactive for 90.00:00:00. Trace ID: d580793e-e9a6-4b1e-8bcf-a868e4628700 Correlation ID: 37ed27a4-c7c0-46aa-82d5-78c1b329ef95 Timestamp: 2024-04-04 10:28:43Z\nTo re-authenticate, please run:\naz login", Permission, false, Err, "cli-credentials"),
        bash("az group show -n rg-prod", "Exit code 1\nERROR: Please run 'az login' to setup account.", Permission, false, Err, "cli-credentials"),
        bash("az group list", "Exit code 1\nERROR: (AuthorizationFailed) The client 'ci@acme.example' with object id '1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901' does not have authorization to perform action 'Microsoft.Resources/subscriptions/resourcegroups/read' over scope '/subscriptions/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9' or the scope is invalid. If access was recently granted, please refresh your credentials.\nCode: AuthorizationFailed", Permission, false, Err, "http-auth"),
        bash("az webapp up -g rg-prdo -n acme-api", "Exit code 3\nERROR: (ResourceGroupNotFound) Resource group 'rg-prdo' could not be found.\nCode: ResourceGroupNotFound\nMessage: Resource group 'rg-prdo' could not be found.", Other, false, Warning, "resource-not-found"),
        // helm
        bash("helm upgrade --install web ./chart -n prod", "Exit code 1\nError: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress", Other, false, Warning, "remote-lock"),
        bash("helm install web ./chart -n prod --wait", "Exit code 1\nError: INSTALLATION FAILED: context deadline exceeded", Timeout, false, Err, "timeout"),
        bash("helm upgrade --install web ./chart", "Exit code 1\nError: Kubernetes cluster unreachable: Get \"http://localhost:8080/version\": dial tcp 127.0.0.1:8080: connect: connection refused", Network, false, Err, "connection-refused"),
        bash("helm install cilium cilium/cilium --version 1.14.2 -n kube-system", "Exit code 1\nError: INSTALLATION FAILED: chart \"cilium\" matching 1.14.2 not found in cilium index. (try 'helm repo update'): no chart version found for cilium-1.14.2", MissingDependency, false, Warning, "package-not-found"),
        bash("helm repo add acme https://charts.acme.example", "Exit code 1\nError: looks like \"https://charts.acme.example\" is not a valid chart repository or cannot be reached: Get \"https://charts.acme.example/index.yaml\": dial tcp: lookup charts.acme.example on 127.0.0.53:53: no such host", Network, false, Err, "dns"),
        bash("helm install cache acme/redis --version 20.1.0", "Exit code 1\nError: INSTALLATION FAILED: failed to fetch https://charts.acme.example/private/redis-20.1.0.tgz : 401 Unauthorized", Permission, false, Err, "http-auth"),
        // gh
        bash("gh run watch 7712345678 --exit-status", "Exit code 1\nfailed to get run: HTTP 502: 502 Bad Gateway (https://api.github.com/repos/acme/shop/actions/runs/7712345678?exclude_pull_requests=true)", Network, false, Err, "http-5xx"),
        bash("gh pr list", "Exit code 1\nHTTP 401: Bad credentials (https://api.github.com/graphql)\nTry authenticating with:  gh auth login", Permission, false, Err, "cli-credentials"),
        bash("gh pr create --fill", "Exit code 4\nTo get started with GitHub CLI, please run:  gh auth login\nAlternatively, populate the GH_TOKEN environment variable with a GitHub API authentication token.", Permission, false, Err, "cli-credentials"),
        bash("gh repo clone acme/shop", "Exit code 1\nerror connecting to api.github.com\ncheck your internet connection or https://githubstatus.com", Network, false, Err, "connection-reset"),
        bash("gh pr view 42", "Exit code 1\nGraphQL: API rate limit exceeded for user ID 1234567.", Network, false, Err, "rate-limited"),
        bash("gh pr comment 42 --body done", "Exit code 1\nHTTP 403: Resource not accessible by integration (https://api.github.com/repos/acme/shop/issues/42/comments)", Permission, false, Err, "http-auth"),
        bash("gh api repos/acme/shopp", "Exit code 1\n{\"message\":\"Not Found\",\"documentation_url\":\"https://docs.github.com/rest/repos/repos#get-a-repository\",\"status\":\"404\"}gh: Not Found (HTTP 404)", Other, false, Warning, "resource-not-found"),
        bash("gh repo view acme/shopp", "Exit code 1\nGraphQL: Could not resolve to a Repository with the name 'acme/shopp'. (repository)", Other, false, Warning, "resource-not-found"),
        // docker
        bash("docker pull node:20", "Exit code 1\nError response from daemon: Get \"https://registry-1.docker.io/v2/\": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)", Network, false, Err, "network-timeout"),
        bash("docker pull postgres:16", "Exit code 1\nError response from daemon: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit", Network, false, Err, "rate-limited"),
        bash("docker run --rm redis:7", "Exit code 125\nUnable to find image 'redis:7' locally\ndocker: Error response from daemon: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit.\nSee 'docker run --help'.", Network, false, Err, "rate-limited"),
        bash("docker push acme/api:1.4.2", "Exit code 1\nThe push refers to repository [docker.io/acme/api]\n5f70bf18a086: Preparing\nd46f9f76f72f: Preparing\ndenied: requested access to the resource is denied", Permission, false, Err, "http-auth"),
        bash("docker push registry.acme.example/api:1.4.2", "Exit code 1\nThe push refers to repository [registry.acme.example/api]\n9c2f1836d493: Retrying in 1 second\nreceived unexpected HTTP status: 500 Internal Server Error", Network, false, Err, "http-5xx"),
        bash("docker push registry.acme.example/api:1.4.2", "Exit code 1\nThe push refers to repository [registry.acme.example/api]\n5f70bf18a086: Preparing\nunauthorized: authentication required", Permission, false, Err, "cli-credentials"),
        bash("docker pull nginx:1.99", "Exit code 1\nError response from daemon: manifest for nginx:1.99 not found: manifest unknown: manifest unknown", MissingDependency, false, Warning, "docker-image-missing"),
        bash("docker build -t api .", "Exit code 1\n[+] Building 1.2s (3/3) FINISHED\n => [internal] load build definition from Dockerfile\n => ERROR [internal] load metadata for docker.io/library/node:20\n------\n > [internal] load metadata for docker.io/library/node:20:\n------\nERROR: failed to solve: node:20: failed to resolve source metadata for docker.io/library/node:20: unexpected status from HEAD request to https://registry-1.docker.io/v2/library/node/manifests/20: 503 Service Unavailable", Network, false, Err, "http-5xx"),
        bash("docker pull alpine:3.19", "Exit code 1\nError response from daemon: Get \"https://registry-1.docker.io/v2/\": dial tcp: lookup registry-1.docker.io on 127.0.0.53:53: server misbehaving", Network, false, Err, "dns"),
        bash("docker login registry.acme.example", "Exit code 1\nError response from daemon: Get \"https://registry.acme.example/v2/\": EOF", Network, false, Err, "connection-reset"),
        // pip
        bash("pip install torch==1.0.0.post5", "Exit code 1\nERROR: Could not find a version that satisfies the requirement torch==1.0.0.post5 (from versions: 2.2.0, 2.2.1, 2.2.2, 2.3.0)\nERROR: No matching distribution found for torch==1.0.0.post5", MissingDependency, false, Warning, "package-not-found"),
        bash("pip install requests", "Exit code 1\nWARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by 'NewConnectionError('<pip._vendor.urllib3.connection.HTTPSConnection object at 0x7f8b2c3d4e50>: Failed to establish a new connection: [Errno -3] Temporary failure in name resolution')': /simple/requests/\nERROR: Could not find a version that satisfies the requirement requests (from versions: none)\nERROR: No matching distribution found for requests", Network, false, Err, "dns"),
        bash("pip install -r requirements.txt", "Exit code 2\nCollecting numpy==1.26.4\n  Downloading numpy-1.26.4-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl (18.0 MB)\nERROR: Exception:\nTraceback (most recent call last):\n  File \"/usr/lib/python3/dist-packages/pip/_vendor/urllib3/response.py\", line 438, in _error_catcher\n    yield\npip._vendor.urllib3.exceptions.ReadTimeoutError: HTTPSConnectionPool(host='files.pythonhosted.org', port=443): Read timed out.", Network, false, Err, "network-timeout"),
        bash("pip install -U setuptools", "Exit code 1\nCollecting setuptools\n  ERROR: HTTP error 502 while getting https://files.pythonhosted.org/packages/a3/dc/17031897dae0efacfea57dfd3a82fdd2a2aeb58e0ff71b77b87e44edc772/setuptools-80.9.0-py3-none-any.whl (from https://pypi.org/simple/setuptools/) (requires-python:>=3.9)\nERROR: Could not install requirement setuptools from https://files.pythonhosted.org/packages/a3/dc/17031897dae0efacfea57dfd3a82fdd2a2aeb58e0ff71b77b87e44edc772/setuptools-80.9.0-py3-none-any.whl because of HTTP error 502 Server Error: Gateway Error for url: https://files.pythonhosted.org/packages/a3/dc/17031897dae0efacfea57dfd3a82fdd2a2aeb58e0ff71b77b87e44edc772/setuptools-80.9.0-py3-none-any.whl", Network, false, Err, "http-5xx"),
        bash("pip install --index-url https://pypi.acme.example/simple acme-core", "Exit code 1\nLooking in indexes: https://pypi.acme.example/simple\nWARNING: 401 Error, Credentials not correct for https://pypi.acme.example/simple/acme-core/\nERROR: Could not find a version that satisfies the requirement acme-core (from versions: none)\nERROR: No matching distribution found for acme-core", Permission, false, Err, "cli-credentials"),
        // npm, yarn
        bash("npm install reactt", "Exit code 1\nnpm ERR! code E404\nnpm ERR! 404 Not Found - GET https://registry.npmjs.org/reactt - Not found\nnpm ERR! 404 \nnpm ERR! 404  'reactt@*' is not in this registry.\nnpm ERR! 404 \nnpm ERR! 404 Note that you can also install from a\nnpm ERR! 404 tarball, folder, http url, or git url.\n\nnpm ERR! A complete log of this run can be found in: /home/u/.npm/_logs/2024-03-11T09_12_44_123Z-debug-0.log", MissingDependency, false, Warning, "package-not-found"),
        bash("npm install react@99.0.0", "Exit code 1\nnpm ERR! code ETARGET\nnpm ERR! notarget No matching version found for react@99.0.0.\nnpm ERR! notarget In most cases you or one of your dependencies are requesting\nnpm ERR! notarget a package version that doesn't exist.", MissingDependency, false, Warning, "package-not-found"),
        bash("yarn add lodashh", "Exit code 1\nyarn add v1.22.19\n[1/4] Resolving packages...\nerror Couldn't find package \"lodashh\" on the \"npm\" registry.\ninfo Visit https://yarnpkg.com/en/docs/cli/add for documentation about this command.", MissingDependency, false, Warning, "package-not-found"),
        bash("npm ci", "Exit code 1\nnpm ERR! code ETIMEDOUT\nnpm ERR! errno ETIMEDOUT\nnpm ERR! network request to https://registry.npmjs.org/react failed, reason: connect ETIMEDOUT 104.16.0.35:443\nnpm ERR! network This is a problem related to network connectivity.\nnpm ERR! network In most cases you are behind a proxy or have bad network settings.", Network, false, Err, "network-timeout"),
        bash("npm install", "Exit code 1\nnpm ERR! code E503\nnpm ERR! 503 Service Unavailable - GET https://registry.npmjs.org/lodash - Service Unavailable", Network, false, Err, "http-5xx"),
        bash("npm publish", "Exit code 1\nnpm ERR! code E504\nnpm ERR! 504 Gateway Timeout - GET https://registry.npmjs.org/@acme%2fshop-dashboard", Network, false, Err, "http-5xx"),
        bash("npm install", "Exit code 1\nnpm ERR! code ECONNRESET\nnpm ERR! errno ECONNRESET\nnpm ERR! network request to https://registry.npmjs.org/typescript failed, reason: read ECONNRESET\nnpm ERR! network This is a problem related to network connectivity.", Network, false, Err, "connection-reset"),
        bash("npm install", "Exit code 1\nnpm ERR! code ENOTFOUND\nnpm ERR! syscall getaddrinfo\nnpm ERR! errno ENOTFOUND\nnpm ERR! network request to https://registry.npmjs.org/express failed, reason: getaddrinfo ENOTFOUND registry.npmjs.org", Network, false, Err, "dns"),
        bash("npm install", "Exit code 1\nnpm ERR! code SELF_SIGNED_CERT_IN_CHAIN\nnpm ERR! errno SELF_SIGNED_CERT_IN_CHAIN\nnpm ERR! request to https://registry.npmjs.org/express failed, reason: self-signed certificate in certificate chain", Network, false, Err, "tls"),
        bash("npm install", "Exit code 1\nnpm ERR! code E429\nnpm ERR! 429 Too Many Requests - GET https://registry.npmjs.org/react", Network, false, Err, "rate-limited"),
        bash("npm install @acme/ui", "Exit code 1\nnpm ERR! code E401\nnpm ERR! Unable to authenticate, need: Basic realm=\"GitHub Package Registry\"", Permission, false, Err, "cli-credentials"),
        bash("npm publish", "Exit code 1\nnpm ERR! code E403\nnpm ERR! 403 403 Forbidden - PUT https://registry.npmjs.org/left-pad - You do not have permission to publish \"left-pad\". Are you logged in as the correct user?", Permission, false, Err, "http-auth"),
        bash("docker run --rm -p 127.0.0.1:8080:80 nginx:1.27", "Exit code 125\nUnable to find image 'nginx:1.27' locally\ndocker: Error response from daemon: Head \"https://registry-1.docker.io/v2/library/nginx/manifests/1.27\": received unexpected HTTP status: 503 Service Unavailable.\nSee 'docker run --help'.", Network, false, Err, "http-5xx"),
        // A 5xx from the app being run on this machine is the app's failure.
        bash("python scripts/smoke.py", "Exit code 1\nTraceback (most recent call last):\n  File \"/work/app/scripts/smoke.py\", line 7, in <module>\n    r.raise_for_status()\nrequests.exceptions.HTTPError: 500 Server Error: Internal Server Error for url: http://localhost:8000/api/orders", Other, false, Warning, "local-http-error"),
        // Negatives: status codes and remote words in failures that are not
        // remote failures.
        bash("npx jest src/api.test.js", "Exit code 1\n FAIL  src/api.test.js\n  ● GET /orders › returns 200 when the upstream is healthy\n\n    expected 200 \"OK\", got 502 \"Bad Gateway\"\n\n      at Test._assertStatus (node_modules/supertest/lib/test.js:252:14)\n\nTest Suites: 1 failed, 1 total\nTests:       1 failed, 4 passed, 5 total", Test, true, Info, "test-failures"),
        bash("pytest tests/test_proxy.py", "Exit code 1\n=================================== FAILURES ===================================\n_____________________ test_proxy_maps_upstream_502 _____________________\n\n    def test_proxy_maps_upstream_502(client):\n        resp = client.get(\"/orders\")\n>       assert resp.status_code == 503\nE       assert 502 == 503\nE        +  where 502 = <Response [502]>.status_code\n\ntests/test_proxy.py:14: AssertionError\n=========================== short test summary info ============================\nFAILED tests/test_proxy.py::test_proxy_maps_upstream_502 - assert 502 == 503\n========================= 1 failed, 11 passed in 0.42s =========================", Test, true, Info, "test-failures"),
        bash("go test ./proxy/...", "Exit code 1\n--- FAIL: TestProxyUpstream502 (0.00s)\n    proxy_test.go:31: status = 502 Bad Gateway; want 200 OK\nFAIL\nFAIL\texample.com/proxy\t0.004s\nFAIL", Test, true, Info, "test-failures"),
        bash("python scripts/report_502.py", "Exit code 1\nTraceback (most recent call last):\n  File \"/work/app/scripts/report_502.py\", line 9, in <module>\n    print(counts[\"http_502\"])\n          ~~~~~~^^^^^^^^^^^^\nKeyError: 'http_502'", Other, false, Warning, "runtime-error"),
        bash("npx tsc --noEmit", "Exit code 2\nsrc/proxy.ts(12,5): error TS2322: Type '\"HTTP 503\"' is not assignable to type 'UpstreamStatus'.", Syntax, false, Warning, "ts-compile"),
        bash("bash deploy.sh", "Exit code 2\ndeploy.sh: line 14: unexpected EOF while looking for matching `\"'\ndeploy.sh: line 15: syntax error: unexpected end of file", Syntax, false, Warning, "syntax-error"),
        bash("java -jar app.jar", "Exit code 1\nException in thread \"main\" java.io.FileNotFoundException: config.yml (No such file or directory)\n\tat java.base/java.io.FileInputStream.open0(Native Method)", Other, false, Warning, "file-not-found"),
        bash("gh pr create --fill", "Exit code 1\npull request create failed: HTTP 422: Validation Failed (https://api.github.com/repos/acme/shop/pulls)\nPullRequest.head_sha is invalid", Other, false, Warning, "unknown"),
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
