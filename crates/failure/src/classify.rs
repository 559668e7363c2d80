//! Built-in classification: a table of rules ([`builtin_rules`]) and one
//! hand-written matcher that checks them in priority order.
//!
//! Matching is substring tests on the lowercased signal text (a few hundred
//! bytes, see `prepare.rs`), never a regex: compiling even one regex costs
//! more than classifying.
//!
//! # Remote services
//!
//! A remote that answers with an error is classed by what a person does
//! about it, not by the fact that HTTP was involved:
//!
//! * 5xx and "upstream 502" (`http-5xx`), 429 and throttling
//!   (`rate-limited`): **`network`**, like DNS, TLS, refused and reset
//!   connections. All are outside the code and usually transient; one
//!   outage (a proxy in front of a service) shows up as DNS errors, resets
//!   and 502s alike, so one class keeps it in one place for stats and alert
//!   routes (`class="network"`). The rule id and the advice tell them apart
//!   (retry once later vs. work offline vs. slow down).
//! * 401/403, cloud access denials (`http-auth`) and missing or expired CLI
//!   logins (`cli-credentials`): **`permission`**: only a person can fix them.
//! * A package, version, chart or provider that the registry does not have
//!   (`package-not-found`, `docker-image-missing`): **`missing_dependency`**.
//! * A named remote object that does not exist (`resource-not-found`:
//!   kubectl NotFound, gh HTTP 404, NoSuchBucket) and a lock held by another
//!   run (`remote-lock`: terraform state, helm release): **`other`**: the
//!   request or its timing is wrong, not the network.
//! * A 5xx from a server on this machine (`local-http-error`: localhost,
//!   127.0.0.1): **`other`**: the app being run failed, not the network.
//!
//! A status counts only in the forms tools print it (`HTTP 502`,
//! `StatusCode: 503`, `returned error: 502`, `upstream 502`, `'status':
//! '503'`, ...; see [`http_status`]) or as a reason phrase (`Bad Gateway`);
//! a bare `502` in a test name or an assertion is not a status. Other 4xx
//! (400, 409, 422) are the request's fault and keep whatever the other rules
//! say (curl's exit 22 stays `http-error`).

use crate::prepare::Prepared;
use crate::{Class, Severity};

/// A built-in rule, as listed by `hookwatch rules list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct BuiltinInfo {
    pub id: &'static str,
    pub class: Class,
    pub severity: Severity,
    pub expected: bool,
    pub summary: &'static str,
    /// The advice given, or a description of it when it depends on the
    /// project (lock files) or names a validated identifier.
    pub advice: Option<&'static str>,
}

macro_rules! rule {
    ($id:literal, $class:ident, $sev:ident, $exp:literal, $summary:literal) => {
        rule!($id, $class, $sev, $exp, $summary, None)
    };
    ($id:literal, $class:ident, $sev:ident, $exp:literal, $summary:literal, $advice:expr) => {
        BuiltinInfo {
            id: $id,
            class: Class::$class,
            severity: Severity::$sev,
            expected: $exp,
            summary: $summary,
            advice: $advice,
        }
    };
}

pub(crate) const A_PERMISSION: &str = "Permission denied: do not retry with sudo or chmod 777; check that the path is the one you meant, or ask the user.";
pub(crate) const A_NETWORK: &str = "The network may be unavailable in this environment: do not retry the same call; work offline or ask the user.";
const A_CREDENTIALS: &str = "The CLI's credentials are missing or expired: only the user can log in again (aws sso login, gcloud auth login, az login, gh auth login, docker login); ask them instead of retrying.";
const A_FORBIDDEN: &str = "The remote refused this request for lack of rights: access cannot be granted from here; ask the user instead of retrying or trying other credentials.";

/// Rules in the order `classify` tries them, except that for the file tools
/// (Read, Write, Edit, ...) the `edit-*`, `file-*` and `is-a-directory` rules
/// are tried right after `test-failures`, since their messages are specific.
static BUILTINS: &[BuiltinInfo] = &[
    rule!("interrupted", Interrupted, Info, true, "The user interrupted the tool call (Esc)."),
    rule!("grep-no-match", Other, Info, true, "grep/rg/ag exited 1 with no output: nothing matched."),
    rule!("diff-differences", Other, Info, true, "diff/cmp exited 1: the inputs differ."),
    rule!("test-false", Other, Info, true, "test/[ exited 1: the condition is false."),
    rule!("git-diff-exit-code", Other, Info, true, "git diff --exit-code/--quiet exited 1: there are changes."),
    rule!("which-missing", Other, Info, true, "which/command -v exited 1: the program is not installed (a probe)."),
    rule!("pgrep-no-process", Other, Info, true, "pgrep/pidof exited 1: no such process."),
    rule!("bash-timeout", Timeout, Error, false, "The Bash tool's timeout killed the command.",
        Some("The command hit the Bash timeout: run it in the background (run_in_background) or with a longer timeout, or narrow it (e.g. a single test).")),
    rule!("mcp-not-connected", McpServer, Error, false, "The MCP server is not connected.",
        Some("The MCP server is not connected: retrying will not help until the user reconnects it (/mcp).")),
    rule!("mcp-tool-not-found", McpServer, Error, false, "The MCP server has no such tool or method.",
        Some("This MCP tool does not exist on the server: check the available tool names instead of retrying.")),
    rule!("mcp-connection-closed", McpServer, Error, false, "The MCP server closed the connection.",
        Some("The MCP server closed the connection (it may have crashed): ask the user to restart it (/mcp).")),
    rule!("mcp-error", McpServer, Error, false, "An MCP tool failed (any other MCP error)."),
    rule!("test-failures", Test, Info, true, "A test run reported failing tests (cargo test, pytest, jest, vitest, go test, mocha, rspec)."),
    rule!("cargo-no-such-command", MissingDependency, Warning, false, "cargo: no such command.",
        Some("This cargo subcommand is not installed: use plain cargo commands, or ask the user to install it.")),
    rule!("rust-missing-crate", MissingDependency, Warning, false, "rustc: can't find crate (missing target or dependency)."),
    rule!("node-module-not-found", MissingDependency, Warning, false, "Node: Cannot find module / ERR_MODULE_NOT_FOUND.",
        Some("When a JS lock file exists: \"Dependencies look missing: run `<pnpm|yarn|bun> install` / `npm ci` first.\"")),
    rule!("python-module-not-found", MissingDependency, Warning, false, "Python: ModuleNotFoundError / No module named.",
        Some("By project files: `uv sync`, `poetry install`, `pip install -r requirements.txt`, else `pip install <package>` for a plain module name.")),
    rule!("python-import-error", MissingDependency, Warning, false, "Python: ImportError (cannot import name)."),
    rule!("go-package-missing", MissingDependency, Warning, false, "Go: cannot find package / no required module provides package.",
        Some("A Go module is missing: run `go mod tidy` (or `go get <module>`), then build again.")),
    rule!("command-not-found", MissingDependency, Warning, false, "Shell: command not found (or exit code 127, spawn ENOENT).",
        Some("Names the program (if a plain name) and says it is not installed or not on PATH; for Node tools in a project with a lock file, install dependencies first.")),
    rule!("npm-missing-script", MissingDependency, Warning, false, "npm/pnpm/yarn: missing script.",
        Some("The script does not exist: check the \"scripts\" in package.json instead of guessing names.")),
    rule!("pnpm-lockfile", MissingDependency, Warning, false, "pnpm: lock file out of date.",
        Some("The lock file is out of date with package.json: run `pnpm install` (without --frozen-lockfile), or ask the user.")),
    rule!("make-no-rule", MissingDependency, Warning, false, "make: No rule to make target.",
        Some("The make target or one of its prerequisites does not exist: check the targets in the Makefile.")),
    rule!("docker-image-missing", MissingDependency, Warning, false, "Docker: no such image / pull access denied / manifest unknown (\"Unable to find image\" alone only when the daemon gave no other reason).",
        Some("The image is not available: check the image name and tag, or build it first; do not retry the pull.")),
    rule!("syntax-error", Syntax, Warning, false, "SyntaxError/IndentationError, shell syntax error, parse errors."),
    rule!("rust-compile", Syntax, Warning, false, "rustc/cargo: error[E…] / could not compile."),
    rule!("ts-compile", Syntax, Warning, false, "TypeScript: error TS…."),
    rule!("compile-error", Syntax, Warning, false, "Compiler diagnostics with file:line:col (go build, gcc, clang) or build failed."),
    rule!("test-run-error", Test, Warning, false, "A test run failed without reporting assertion failures (build or collection problem)."),
    rule!("git-non-fast-forward", Other, Warning, false, "git push rejected (non-fast-forward / fetch first).",
        Some("The remote has commits you do not have: pull or rebase first (git pull --rebase), then push again. Do not force-push.")),
    rule!("git-merge-conflict", Other, Warning, false, "git: merge conflict / unmerged paths.",
        Some("Resolve the conflicts listed by `git status`, then add and commit; do not discard changes with reset --hard or checkout.")),
    rule!("git-not-a-repo", Other, Warning, false, "git: not a git repository.",
        Some("This directory is not inside a git repository: check the working directory instead of running git init.")),
    rule!("ssh-auth", Permission, Error, false, "SSH/git authentication failed (publickey, could not read username, authentication failed).",
        Some("Authentication failed: credentials cannot be fixed from here; ask the user instead of retrying.")),
    rule!("cli-credentials", Permission, Error, false, "CLI credentials missing or expired (aws, gcloud, az, kubectl, gh, docker, npm: not logged in, expired token, AADSTS).",
        Some(A_CREDENTIALS)),
    rule!("docker-socket-permission", Permission, Error, false, "Docker: permission denied on the daemon socket.",
        Some("This user may not use the Docker socket: do not retry with sudo or chmod the socket; ask the user.")),
    rule!("http-auth", Permission, Error, false, "HTTP 401/403/407, or a remote API's access denial (AccessDenied, Forbidden, PERMISSION_DENIED, AuthorizationFailed, registry denied).",
        Some(A_FORBIDDEN)),
    rule!("permission-denied", Permission, Error, false, "Permission denied, EACCES, EPERM, operation not permitted, read-only file system.",
        Some(A_PERMISSION)),
    rule!("docker-daemon", Network, Error, false, "Docker: cannot connect to the Docker daemon.",
        Some("The Docker daemon is not reachable: start it (or ask the user to); retrying will not help.")),
    rule!("tls", Network, Error, false, "TLS/SSL certificate or handshake failure.",
        Some("TLS verification failed: do not disable certificate checks (curl -k, NODE_TLS_REJECT_UNAUTHORIZED=0, verify=False); ask the user about proxies or CA certificates.")),
    rule!("dns", Network, Error, false, "DNS resolution failed (could not resolve host, ENOTFOUND, EAI_AGAIN).",
        Some(A_NETWORK)),
    rule!("connection-refused", Network, Error, false, "Connection refused (ECONNREFUSED, curl (7)).",
        Some("Nothing is listening at that address: start the service first (or ask the user); retrying will not help.")),
    rule!("network-timeout", Network, Error, false, "Network timeout (ETIMEDOUT, curl (28), connection timed out, i/o timeout, TLS handshake timeout, Client.Timeout).",
        Some(A_NETWORK)),
    rule!("connection-reset", Network, Error, false, "Connection reset/unreachable (ECONNRESET, socket hang up, network unreachable, EOF from a Go HTTP client, kubectl/gh/aws could not connect).",
        Some(A_NETWORK)),
    rule!("local-http-error", Other, Warning, false, "An HTTP 5xx from a server on this machine (localhost, 127.0.0.1, ::1): the app being run failed, not the network.",
        Some("A server on this machine answered with a server error: read that server's log or output for the cause instead of retrying the request.")),
    rule!("rate-limited", Network, Error, false, "HTTP 429 / throttling / rate limit exceeded (toomanyrequests, ThrottlingException, API rate limit, RESOURCE_EXHAUSTED).",
        Some("The remote is rate-limiting these requests: do not retry in a loop; wait before a single retry, make fewer calls, or ask the user.")),
    rule!("http-5xx", Network, Error, false, "A remote answered with a server error (HTTP 5xx, Bad Gateway, Service Unavailable, upstream 502, InternalError).",
        Some("The remote service failed on its side (5xx): this is usually transient; retry once after a pause and do not change code or config to work around it; if it persists, ask the user.")),
    rule!("package-fetch", Network, Error, false, "Package registry fetch failed (npm ERR! network, ERR_PNPM_FETCH, ERR_SOCKET_TIMEOUT).",
        Some(A_NETWORK)),
    rule!("http-error", Network, Error, false, "Any other HTTP error status from curl -f (curl (22))."),
    rule!("package-not-found", MissingDependency, Warning, false, "The registry has no such package, version, chart or provider (npm E404/ETARGET, pip no matching distribution, helm chart not found, terraform provider).",
        Some("The package or version does not exist in the registry: check the exact name and the available versions instead of retrying.")),
    rule!("remote-lock", Other, Warning, false, "Locked by another run (terraform state lock, helm: another operation is in progress).",
        Some("Another run holds the lock: do not force-unlock or delete the lock; wait for it to finish, or ask the user whether it is stale.")),
    rule!("resource-not-found", Other, Warning, false, "A named remote object does not exist (kubectl NotFound, gh HTTP 404, NoSuchBucket, ResourceNotFound, NOT_FOUND).",
        Some("The named remote object does not exist: list what exists (name, namespace, region, project) before retrying with another name.")),
    rule!("timeout", Timeout, Error, false, "Timed out / deadline exceeded / timeout(1) exit 124."),
    rule!("edit-no-match", Other, Warning, false, "Edit: the string to replace was not found.",
        Some("The text to replace was not found: Read the file again and copy the exact current text (whitespace included).")),
    rule!("edit-multiple-matches", Other, Warning, false, "Edit: the string to replace occurs more than once.",
        Some("The text to replace occurs more than once: include more surrounding context to make it unique, or set replace_all.")),
    rule!("edit-not-read", Other, Warning, false, "Edit/Write: the file has not been read yet.",
        Some("Read the file before editing or writing it.")),
    rule!("edit-stale", Other, Warning, false, "Edit/Write: the file was modified since it was read.",
        Some("The file changed since it was read: Read it again before editing.")),
    rule!("file-too-large", Other, Warning, false, "Read: the file is too large to read at once.",
        Some("The file is too large to read at once: read it in parts with offset and limit, or search it with Grep.")),
    rule!("is-a-directory", Other, Warning, false, "EISDIR: the path is a directory.",
        Some("The path is a directory: list it with ls or Glob instead of reading it.")),
    rule!("file-not-found", Other, Warning, false, "File or path does not exist (File does not exist., No such file or directory, ENOENT).",
        Some("The path does not exist: check it with ls or Glob before retrying.")),
    rule!("oom-killed", Other, Error, false, "Killed (exit 137, SIGKILL, out of memory).",
        Some("The process was killed (likely out of memory): reduce parallelism (e.g. -j1, --test-threads=1) or the input size; do not simply retry.")),
    rule!("crash", Other, Error, false, "Segmentation fault / core dumped (exit 139)."),
    rule!("runtime-error", Other, Warning, false, "Runtime exception (TypeError, ReferenceError, Traceback, panicked at)."),
    rule!("unknown", Other, Warning, false, "Anything else."),
];

/// All built-in rules, in the order they are tried.
pub fn builtin_rules() -> &'static [BuiltinInfo] {
    BUILTINS
}

pub(crate) fn info(id: &str) -> &'static BuiltinInfo {
    BUILTINS
        .iter()
        .find(|b| b.id == id)
        .unwrap_or(&BUILTINS[BUILTINS.len() - 1])
}

const FILE_TOOLS: &[&str] = &[
    "Read",
    "Write",
    "Edit",
    "MultiEdit",
    "NotebookEdit",
    "NotebookRead",
];

/// The id of the first built-in rule that matches.
pub(crate) fn classify(p: &Prepared) -> &'static str {
    if p.is_interrupt || p.has("[request interrupted by user") {
        return "interrupted";
    }
    if let Some(id) = expected_exit(p) {
        return id;
    }
    let is_bash = p.tool == "Bash";
    if is_bash && p.body.trim_start().starts_with("Command timed out") {
        return "bash-timeout";
    }
    if p.tool.starts_with("mcp__") || p.mcp_server.is_some() {
        return mcp(p);
    }
    let summary = test_summary_failed(p);
    let build_broken = p.any(&[
        "error[e",
        "could not compile",
        "error during collection",
        "errors during collection",
        "test suite failed to run",
        "[build failed]",
        "[setup failed]",
        "failed to load url",
    ]);
    if summary && !build_broken {
        return "test-failures";
    }
    if FILE_TOOLS.contains(&p.tool) {
        if let Some(id) = file_tool(p) {
            return id;
        }
    }
    if let Some(id) = missing(p) {
        return id;
    }
    if let Some(id) = syntax(p) {
        return id;
    }
    if summary {
        return "test-run-error";
    }
    if let Some(id) = git(p) {
        return id;
    }
    if let Some(id) = permission(p) {
        return id;
    }
    if let Some(id) = network(p) {
        return id;
    }
    // After `network`: pip prints "Could not find a version" after failed
    // retries too, and a lock or lookup that failed on the way is a network
    // failure first.
    if let Some(id) = remote_answer(p) {
        return id;
    }
    if p.any(&[
        "timed out",
        "timeout expired",
        "deadline exceeded",
        "timeouterror",
    ]) || (p.exit_code == Some(124) && p.prog() == "timeout")
    {
        return "timeout";
    }
    if let Some(id) = file_tool(p) {
        return id;
    }
    if p.exit_code == Some(137)
        || p.any(&[
            "out of memory",
            "oomkilled",
            "sigkill",
            "memory allocation of",
        ])
        || (p.has("killed")
            && p.lines()
                .any(|l| l.trim() == "killed" || l.ends_with(": killed")))
    {
        return "oom-killed";
    }
    if p.exit_code == Some(139) || p.any(&["segmentation fault", "core dumped", "sigsegv"]) {
        return "crash";
    }
    if p.any(&[
        "typeerror:",
        "referenceerror:",
        "rangeerror:",
        "traceback (most recent call last)",
        "panicked at",
        "uncaught exception",
        "unhandled exception",
        "unhandledpromiserejection",
        "exception in thread",
    ]) {
        return "runtime-error";
    }
    "unknown"
}

/// Exit 1 of programs whose exit 1 is an answer, not an error.
fn expected_exit(p: &Prepared) -> Option<&'static str> {
    if p.tool != "Bash" || p.exit_code != Some(1) {
        return None;
    }
    let head = p.head.as_deref()?;
    match p.prog() {
        "grep" | "egrep" | "fgrep" | "rg" | "ag" | "zgrep" | "ack" if p.body_blank() => {
            Some("grep-no-match")
        }
        "diff" | "cmp" | "colordiff" => Some("diff-differences"),
        "test" => Some("test-false"),
        "which" | "type" | "hash" | "whereis" => Some("which-missing"),
        "command" if head == "command -v" => Some("which-missing"),
        "pgrep" | "pidof" => Some("pgrep-no-process"),
        "git"
            if head == "git diff"
                && p.command
                    .is_some_and(|c| c.contains("--exit-code") || c.contains("--quiet")) =>
        {
            Some("git-diff-exit-code")
        }
        "git" if head == "git grep" && p.body_blank() => Some("grep-no-match"),
        _ => None,
    }
}

fn mcp(p: &Prepared) -> &'static str {
    if p.has("not connected") || p.has("no such server") || p.has("server not found") {
        "mcp-not-connected"
    } else if p.any(&[
        "-32601",
        "method not found",
        "unknown tool",
        "tool not found",
    ]) || (p.has("tool ") && p.has("not found"))
    {
        "mcp-tool-not-found"
    } else if p.any(&[
        "connection closed",
        "-32000",
        "transport closed",
        "server disconnected",
    ]) {
        "mcp-connection-closed"
    } else {
        "mcp-error"
    }
}

/// Test runners' summaries that report failing tests.
fn test_summary_failed(p: &Prepared) -> bool {
    if p.any(&["test result: failed", "--- fail:", "failed (failures="]) {
        return true;
    }
    // Every summary below says " fail…": one table lookup spares the
    // line scan for nearly every failure.
    if !p.has(" fail") {
        return false;
    }
    p.lines().any(|l| {
        let t = l.trim();
        // pytest: "=== 2 failed, 10 passed in 0.53s ==="
        (t.starts_with('=') && t.contains(" failed") && (t.contains(" passed") || t.contains(" in ")))
            // jest "Tests:  1 failed, 3 passed", vitest "Tests  1 failed | 3 passed (4)"
            || (t.starts_with("tests") && !t.starts_with("tests/") && t.contains(" failed"))
            // mocha "2 failing"
            || (t.ends_with(" failing") && t.split(' ').next().is_some_and(|n| n.parse::<u32>().is_ok_and(|n| n > 0)))
            // rspec "3 examples, 1 failure"
            || (t.contains(" examples, ") && t.contains(" failure") && !t.contains(" 0 failures"))
    })
}

fn file_tool(p: &Prepared) -> Option<&'static str> {
    if p.has("string to replace not found") || p.has("old_string not found") {
        Some("edit-no-match")
    } else if p.has("matches of the string to replace") {
        Some("edit-multiple-matches")
    } else if p.has("has not been read yet") || p.has("read it first") {
        Some("edit-not-read")
    } else if p.has("modified since read") || p.has("has been modified since") {
        Some("edit-stale")
    } else if p.any(&[
        "exceeds maximum allowed tokens",
        "file content (",
        "too large to read",
    ]) && p.any(&["exceed", "too large"])
    {
        Some("file-too-large")
    } else if p.any(&["eisdir", "is a directory"]) {
        Some("is-a-directory")
    } else if p.any(&[
        "file does not exist",
        "no such file or directory",
        "enoent",
        "path does not exist",
        "directory does not exist",
        "could not find `cargo.toml`",
        "cannot find the path",
    ]) {
        Some("file-not-found")
    } else {
        None
    }
}

fn missing(p: &Prepared) -> Option<&'static str> {
    if p.has("error: no such command") || p.has("no such subcommand") {
        return Some("cargo-no-such-command");
    }
    if p.has("can't find crate for") || p.has("error[e0463]") {
        return Some("rust-missing-crate");
    }
    if p.any(&[
        "cannot find module",
        "err_module_not_found",
        "module not found: error: can't resolve",
        "cannot find package '",
    ]) && !p.has("error ts")
        || p.has("error ts2307")
    {
        return Some("node-module-not-found");
    }
    if p.has("no module named") {
        return Some("python-module-not-found");
    }
    if p.has("importerror: cannot import name") || p.has("importerror:") {
        return Some("python-import-error");
    }
    if p.has("no required module provides package")
        || (p.has("cannot find package") && (p.prog() == "go" || p.has("in any of:")))
        || p.has("missing go.sum entry")
    {
        return Some("go-package-missing");
    }
    if p.has("command not found")
        || (p.exit_code == Some(127) && !p.has("no such file or directory"))
        || (p.has("command \"") && p.has("\" not found"))
        || (p.has("spawn ") && p.has("enoent"))
        || (p.has(": not found")
            && p.lines().any(|l| {
                (l.starts_with("sh: ") || l.starts_with("/bin/sh: ")) && l.ends_with(": not found")
            }))
        || p.has("is not recognized as an internal or external command")
    {
        return Some("command-not-found");
    }
    if p.has("missing script") || p.has("err_pnpm_no_script") {
        return Some("npm-missing-script");
    }
    if p.has("err_pnpm_outdated_lockfile") || p.has("err_pnpm_lockfile") {
        return Some("pnpm-lockfile");
    }
    if p.has("no rule to make target") {
        return Some("make-no-rule");
    }
    // "Unable to find image 'x' locally" only says a pull follows; when the
    // daemon's answer gives another reason (rate limit, DNS, 5xx), that
    // reason decides.
    if p.any(&[
        "no such image",
        "pull access denied",
        "manifest unknown",
        "repository does not exist",
    ]) || (p.has("unable to find image") && !p.has("error response from daemon"))
    {
        return Some("docker-image-missing");
    }
    None
}

fn syntax(p: &Prepared) -> Option<&'static str> {
    if p.any(&[
        "syntaxerror",
        "indentationerror",
        "taberror:",
        "syntax error",
        "parse error",
        "parseerror",
        "unexpected end of file",
        "unterminated string",
    ]) || (p.has("unexpected eof") && !go_http_eof(p))
    {
        return Some("syntax-error");
    }
    if p.has("error[e") || p.has("could not compile") || p.has("aborting due to") {
        return Some("rust-compile");
    }
    if p.has("error ts") {
        return Some("ts-compile");
    }
    let located = (p.has(".go:") || p.has(": error: "))
        && p.lines().any(|l| {
            // "./main.go:3:2: undefined: x", "a.c:3:5: error: ..."
            l.find(".go:")
                .is_some_and(|i| crate::prepare::is_location(&l.as_bytes()[i + 3..]))
                || (l.contains(": error: ")
                    && l.split(": error: ").next().is_some_and(has_location))
        });
    if located
        || p.any(&[
            "[build failed]",
            "compilation terminated",
            "build failed",
            "compilation failed",
            "undefined reference to",
        ])
    {
        return Some("compile-error");
    }
    None
}

fn has_location(prefix: &str) -> bool {
    let mut parts = prefix.rsplit(':');
    let a = parts.next().unwrap_or("");
    let b = parts.next().unwrap_or("");
    !a.is_empty()
        && !b.is_empty()
        && a.bytes().all(|c| c.is_ascii_digit())
        && b.bytes().all(|c| c.is_ascii_digit())
}

fn git(p: &Prepared) -> Option<&'static str> {
    if p.has("non-fast-forward")
        || p.has("[rejected]") && p.has("fetch first")
        || p.has("updates were rejected")
    {
        return Some("git-non-fast-forward");
    }
    if p.any(&[
        "conflict (",
        "merge conflict",
        "automatic merge failed",
        "unmerged paths",
        "you have unmerged",
        "needs merge",
        "fix conflicts",
    ]) {
        return Some("git-merge-conflict");
    }
    if p.has("not a git repository") {
        return Some("git-not-a-repo");
    }
    None
}

fn permission(p: &Prepared) -> Option<&'static str> {
    if p.has("permission denied (publickey")
        || p.has("host key verification failed")
        || p.has("could not read username")
        || p.has("could not read password")
        || p.has("authentication failed")
        || p.has("terminal prompts disabled")
    {
        return Some("ssh-auth");
    }
    if p.any(&[
        // aws
        "unable to locate credentials",
        "(expiredtoken)",
        "expiredtokenexception",
        "security token included in the request is expired",
        "security token included in the request is invalid",
        "(invalidclienttokenid)",
        "no valid credential sources",
        "error loading sso token",
        "sso session associated with this profile has expired",
        // gcloud
        "problem refreshing your current auth tokens",
        "reauthentication failed",
        "do not currently have an active account",
        "gcloud auth login",
        "invalid_grant",
        // az
        "aadsts",
        "az login",
        // kubectl
        "you must be logged in to the server",
        "asked for the client to provide credentials",
        "getting credentials: exec",
        // gh
        "bad credentials",
        "gh auth login",
        // docker, npm
        "authentication required",
        "no basic auth credentials",
        "incorrect username or password",
        "unable to authenticate",
        "code eneedauth",
        // pip: "401 Error, Credentials not correct for <index>"
        "credentials not correct for",
    ]) {
        return Some("cli-credentials");
    }
    if p.has("docker daemon socket") && p.has("permission denied")
        || p.has("docker.sock: connect: permission denied")
    {
        return Some("docker-socket-permission");
    }
    if p.any(&[
        "401 unauthorized",
        "403 forbidden",
        "401 client error",
        "403 client error",
        "e401",
        "e403",
        // aws cli and SDKs
        "(accessdenied)",
        "accessdeniedexception",
        "unauthorizedoperation",
        "not authorized to perform",
        // kubectl, gcloud, az, docker push
        "error from server (forbidden)",
        "permission_denied",
        "does not have permission to access",
        "caller does not have permission",
        "(authorizationfailed)",
        "does not have authorization to perform",
        "requested access to the resource is denied",
    ]) || http_status(p).is_some_and(|s| matches!(s, 401 | 403 | 407))
    {
        return Some("http-auth");
    }
    if p.any(&[
        "permission denied",
        "eacces",
        "eperm",
        "operation not permitted",
        "read-only file system",
        "erofs",
        "access is denied",
        "access denied",
    ]) {
        return Some("permission-denied");
    }
    None
}

fn network(p: &Prepared) -> Option<&'static str> {
    if p.any(&[
        "cannot connect to the docker daemon",
        "is the docker daemon running",
        "docker daemon is not running",
        "error during connect",
    ]) {
        return Some("docker-daemon");
    }
    // A handshake that never completed is a slow or blocked network, not a
    // certificate problem (Go: "net/http: TLS handshake timeout").
    if p.has("tls handshake timeout") {
        return Some("network-timeout");
    }
    if p.any(&[
        "certificate verify failed",
        "ssl certificate problem",
        "unable to get local issuer certificate",
        "self signed certificate",
        "self-signed certificate",
        "certificate has expired",
        "cert_has_expired",
        "unable_to_verify_leaf_signature",
        "x509:",
        "tls handshake",
        "ssl_error",
        "sslerror",
        "curl: (35)",
        "curl: (60)",
        "wrong version number",
        "self_signed_cert_in_chain",
        "unable_to_get_issuer_cert",
    ]) {
        return Some("tls");
    }
    if p.any(&[
        "could not resolve host",
        "couldn't resolve host",
        "could not resolve hostname",
        // Node "getaddrinfo ENOTFOUND host", npm "code ENOTFOUND"; never
        // inside a word ("ResourceNotFoundException").
        " enotfound",
        "'enotfound'",
        "eai_again",
        "temporary failure in name resolution",
        "name or service not known",
        "nodename nor servname",
        "no such host",
        "getaddrinfo",
        "curl: (6)",
        "name resolution",
        // Go resolver: "dial tcp: lookup x on 127.0.0.53:53: server misbehaving"
        "dial tcp: lookup",
        "server misbehaving",
    ]) {
        return Some("dns");
    }
    if p.any(&[
        "econnrefused",
        "connection refused",
        "curl: (7)",
        "failed to connect",
        "couldn't connect to server",
        "could not connect to server",
        // kubectl: "The connection to the server localhost:8080 was refused"
        "was refused - did you specify",
    ]) {
        return Some("connection-refused");
    }
    if p.any(&[
        "etimedout",
        "operation timed out",
        "connection timed out",
        "connect timeout",
        "i/o timeout",
        "curl: (28)",
        "err_socket_timeout",
        "read timed out",
        // Go net/http (docker, terraform, helm, kubectl)
        "request canceled while waiting for connection",
        "client.timeout exceeded",
        "awaiting headers",
    ]) {
        return Some("network-timeout");
    }
    if p.any(&[
        "econnreset",
        "connection reset",
        "socket hang up",
        "network is unreachable",
        "enetunreach",
        "no route to host",
        "ehostunreach",
        "broken pipe",
        "remote end hung up",
        "epipe",
        "empty reply from server",
        "curl: (52)",
        "curl: (56)",
        "server closed idle connection",
    ]) || go_http_eof(p)
    {
        return Some("connection-reset");
    }
    let status = http_status(p);
    let server_error = status.is_some_and(|s| s >= 500) || p.any(SERVER_ERROR);
    if server_error && local_target(p) {
        return Some("local-http-error");
    }
    if status == Some(429) || p.any(RATE_LIMITED) {
        return Some("rate-limited");
    }
    if server_error {
        return Some("http-5xx");
    }
    // The tools' own words when they do not give the cause (tried after the
    // statuses: urllib3's "Max retries exceeded" also wraps 5xx answers).
    if p.any(&[
        "unable to connect to the server",       // kubectl
        "could not connect to the endpoint url", // aws
        "check your internet connection",        // gh
        "max retries exceeded with url",         // python urllib3 (gcloud, pip)
    ]) {
        return Some("connection-reset");
    }
    if p.any(&[
        "npm err! network",
        "err_pnpm_fetch",
        "err_pnpm_meta_fetch",
        "err! code econn",
        "proxy error",
        "failed to fetch",
        "fetch failed",
    ]) {
        return Some("package-fetch");
    }
    if p.has("curl: (22)") || p.has("the requested url returned error") {
        return Some("http-error");
    }
    None
}

/// Reason phrases and API error codes of a remote's server error.
const SERVER_ERROR: &[&str] = &[
    "bad gateway",
    "service unavailable",
    "gateway timeout",
    "gateway time-out",
    "internal server error",
    // aws cli "(InternalError)", kubectl "Error from server (InternalError)"
    "(internalerror)",
    "(internalfailure)",
    "(serviceunavailable",
    "error from server (timeout)",
];

const RATE_LIMITED: &[&str] = &[
    "toomanyrequests",
    "too many requests",
    "rate limit exceeded",
    "rate limit reached",
    "pull rate limit",
    "secondary rate limit",
    "rate exceeded",
    "throttlingexception",
    "(throttling)",
    "being throttled",
    "requestlimitexceeded",
    "request limit exceeded",
    "ratelimitexceeded",
    "resource_exhausted",
    // gcloud: per-minute request quotas
    "quota exceeded for quota metric",
    "(slowdown)",
    "reduce your request rate",
];

/// Where an HTTP status follows in the tools' error texts. Each must be
/// followed by exactly three digits to count.
const STATUS_PREFIXES: &[&str] = &[
    "http ",     // gh "HTTP 502: 502 Bad Gateway", "HTTP 401: Bad credentials"
    "http/1.1 ", // raw status lines
    "http/2 ",
    "http error ", // pip "HTTP error 503 while getting"
    "http status ",
    "returned error: ", // curl (22)
    "status code ",     // "failed with status code 503"
    "status code: ",
    "statuscode: ", // aws sdk go v2 (terraform): "StatusCode: 503, RequestID"
    "statuscode=",  // azure sdk go: "StatusCode=403"
    "status: ",     // docker "unexpected HTTP status: 500"
    "status=",
    "'status': '", // gcloud HttpError "response: <{'status': '503'"
    "response code ",
    "upstream ",         // "upstream 502 from api.internal"
    "error occurred (",  // aws cli "An error occurred (403) when calling"
    "code=",             // gcloud "ResponseError: code=503"
    "googleapi: error ", // terraform google provider
    "npm err! ",         // "npm ERR! 503 Service Unavailable - GET"
    "npm error ",        // npm 10
];

/// The first HTTP error status (400–599) the text reports in one of the
/// [`STATUS_PREFIXES`] forms. A bare number never counts: `502` in a test
/// name, a file name or `expected 200, got 502` is not a status.
fn http_status(p: &Prepared) -> Option<u16> {
    let text = p.lower.as_bytes();
    for prefix in STATUS_PREFIXES {
        if !p.has(prefix) {
            continue;
        }
        for at in hookwatch_find::find_iter(text, prefix.as_bytes()) {
            let rest = &text[at + prefix.len()..];
            if rest.len() < 3
                || !rest[..3].iter().all(u8::is_ascii_digit)
                || rest.get(3).is_some_and(u8::is_ascii_digit)
            {
                continue;
            }
            let code = rest[..3]
                .iter()
                .fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
            if (400..600).contains(&code) {
                return Some(code);
            }
        }
    }
    None
}

/// The request went to a server on this machine: a URL in the text names
/// localhost, or an HTTP client was pointed at it (`curl localhost:3000`).
/// Not any mention in the command: `docker run -p 127.0.0.1:8080:80 img`
/// still pulls from a remote registry.
fn local_target(p: &Prepared) -> bool {
    const LOCAL: &[&str] = &["localhost", "127.0.0.1", "[::1]"];
    p.any(&["://localhost", "://127.0.0.1", "://0.0.0.0", "://[::1]"])
        || (matches!(p.prog(), "curl" | "wget" | "http" | "https" | "xh")
            && p.command
                .is_some_and(|c| LOCAL.iter().any(|l| c.contains(l))))
}

/// Go's HTTP client reports a connection closed mid-request as
/// `Get "https://...": EOF` or `...": unexpected EOF`: a network failure,
/// not the shell's or a parser's "unexpected EOF".
fn go_http_eof(p: &Prepared) -> bool {
    p.any(&["\": eof", "\": unexpected eof"])
}

/// A remote answered, and the answer names something that does not exist
/// or is busy: a package (missing dependency), a lock, a named object.
fn remote_answer(p: &Prepared) -> Option<&'static str> {
    if p.any(&[
        // npm
        "is not in this registry",
        "is not in the npm registry",
        "code e404",
        "code etarget",
        "no matching version found for",
        // yarn
        "on the \"npm\" registry",
        // pip
        "no matching distribution found for",
        "could not find a version that satisfies the requirement",
        // helm
        "no chart version found for",
        "no chart name found",
        // terraform
        "does not have a provider named",
    ]) {
        return Some("package-not-found");
    }
    if p.any(&[
        "error acquiring the state lock",
        "another operation (install/upgrade/rollback) is in progress",
    ]) {
        return Some("remote-lock");
    }
    if p.any(&[
        // Exact codes only: "FileNotFoundException" is a local file.
        "error from server (notfound)",
        "(resourcenotfound)",
        "(resourcegroupnotfound)",
        "(subscriptionnotfound)",
        "resourcenotfoundexception",
        "(nosuchbucket)",
        "(nosuchkey)",
        "(404) when calling",
        " not_found: ",
        "code=404",
        // gh
        "http 404: not found",
        "(http 404)",
        "could not resolve to a ",
    ]) {
        return Some("resource-not-found");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Failure;

    fn status_of(command: &str, error: &str) -> Option<u16> {
        let input = serde_json::json!({ "command": command });
        let f = Failure {
            tool_name: "Bash",
            tool_input: Some(&input),
            error,
            is_interrupt: false,
            mcp_server: None,
            cwd: None,
            project_dir: None,
        };
        http_status(&Prepared::new(&f))
    }

    #[test]
    fn statuses_need_their_context() {
        assert_eq!(
            status_of(
                "gh pr list",
                "HTTP 502: 502 Bad Gateway (https://api.github.com/graphql)"
            ),
            Some(502)
        );
        assert_eq!(
            status_of("x", "https response error StatusCode: 503, RequestID: 1"),
            Some(503)
        );
        assert_eq!(
            status_of("x", "response: <{'status': '503', 'content-length': '1'}>"),
            Some(503)
        );
        assert_eq!(
            status_of("x", "deploy failed: upstream 504 from api.internal"),
            Some(504)
        );
        assert_eq!(
            status_of(
                "x",
                "An error occurred (403) when calling the HeadObject operation: Forbidden"
            ),
            Some(403)
        );
        // Not statuses: bare numbers, success codes, exit statuses, longer numbers.
        assert_eq!(status_of("pytest", "E       assert 502 == 503"), None);
        assert_eq!(
            status_of("x", "test_returns_502_on_upstream_error failed"),
            None
        );
        assert_eq!(status_of("x", "expected status: 200"), None);
        assert_eq!(status_of("x", "exit status 127"), None);
        assert_eq!(status_of("x", "HTTP 5023 records"), None);
    }
}
