//! Command heads: the part of a Bash command that says *what kind* of run
//! failed (`cargo test`, `npm run build`, `pytest`), without the arguments
//! that change from one attempt to the next.
//!
//! Hand-written shell tokenising: a parser or regex would cost more than the
//! whole classification, and a head only needs the first few words.

/// Segments longer than this are cut: a head never needs more than a few words,
/// and heredocs or inline scripts can be megabytes long.
const MAX_TOKENS: usize = 48;
/// `bash -c "..."` nesting followed at most this deep.
const MAX_DEPTH: u8 = 2;

/// The command head of a Bash command: the first program after stripping
/// environment assignments and wrappers, plus its subcommand(s) for programs
/// that have them. Setup segments of a chain (`cd x && ...`, `export`,
/// `source`) are skipped; the first other segment decides.
///
/// ```
/// use hookwatch_failure::command_head;
/// assert_eq!(command_head("cd /w && RUST_LOG=1 cargo +nightly test -p x").as_deref(), Some("cargo test"));
/// assert_eq!(command_head("python3 -m pytest -x tests/").as_deref(), Some("pytest"));
/// assert_eq!(command_head("sudo docker compose -f a.yml up -d").as_deref(), Some("docker compose up"));
/// ```
pub fn command_head(command: &str) -> Option<String> {
    head_at_depth(command, 0)
}

fn head_at_depth(command: &str, depth: u8) -> Option<String> {
    let mut first: Option<String> = None;
    for seg in segments(command) {
        let toks = tokenize(seg);
        if toks.is_empty() {
            continue;
        }
        match head_of_tokens(&toks, depth) {
            Head::Skip(h) => {
                if first.is_none() {
                    first = h;
                }
            }
            Head::Found(h) => return Some(h),
            Head::Invalid => return None,
        }
    }
    // Only setup commands (`cd /nowhere`): the setup command is the head.
    first
}

enum Head {
    /// A setup command; carries its own head in case nothing else follows.
    Skip(Option<String>),
    Found(String),
    Invalid,
}

/// Splits at `&&`, `||`, `;`, `|`, `&` and newlines outside quotes.
fn segments(cmd: &str) -> impl Iterator<Item = &str> {
    let b = cmd.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let mut quote: u8 = 0;
    while i < b.len() {
        let c = b[i];
        if quote != 0 {
            if c == b'\\' && quote == b'"' {
                i += 2;
                continue;
            }
            if c == quote {
                quote = 0;
            }
            i += 1;
            continue;
        }
        match c {
            b'\\' => {
                i += 2;
                continue;
            }
            b'\'' | b'"' => quote = c,
            b'\n' | b';' | b'|' => {
                out.push(&cmd[start..i]);
                i += 1;
                while i < b.len() && (b[i] == b'|' || b[i] == b'&') {
                    i += 1;
                }
                start = i;
                continue;
            }
            b'&' => {
                // `2>&1`, `&>file` and `>&2` are redirects, not separators.
                let redirect = (i > 0 && b[i - 1] == b'>') || b.get(i + 1) == Some(&b'>');
                if !redirect {
                    out.push(&cmd[start..i]);
                    i += 1;
                    if b.get(i) == Some(&b'&') {
                        i += 1;
                    }
                    start = i;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    if start < cmd.len() {
        out.push(&cmd[start.min(cmd.len())..]);
    }
    out.into_iter()
}

/// Shell-like words: quotes removed, backslash escapes applied, redirects and
/// comments dropped.
fn tokenize(seg: &str) -> Vec<String> {
    let mut toks = Vec::new();
    let mut cur = String::new();
    let mut in_tok = false;
    let mut chars = seg.chars().peekable();
    let mut skip_next_word = false;
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_tok {
                    push_tok(&mut toks, &mut cur, &mut skip_next_word);
                    in_tok = false;
                    if toks.len() >= MAX_TOKENS {
                        return toks;
                    }
                }
            }
            '#' if !in_tok => break,
            '\'' => {
                in_tok = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    cur.push(q);
                }
            }
            '"' => {
                in_tok = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => {
                            if let Some(n) = chars.next() {
                                cur.push(n);
                            }
                        }
                        _ => cur.push(q),
                    }
                }
            }
            '\\' => {
                in_tok = true;
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            _ => {
                in_tok = true;
                cur.push(c);
            }
        }
    }
    if in_tok {
        push_tok(&mut toks, &mut cur, &mut skip_next_word);
    }
    toks
}

fn push_tok(toks: &mut Vec<String>, cur: &mut String, skip_next_word: &mut bool) {
    let t = std::mem::take(cur);
    if *skip_next_word {
        *skip_next_word = false;
        return;
    }
    if let Some(rest) = redirect_rest(&t) {
        // `> file` takes the next word as its target; `>file`, `2>&1` do not.
        *skip_next_word = rest.is_empty();
        return;
    }
    toks.push(t);
}

/// If `t` is a redirect (`>`, `2>>`, `&>`, `<`, `2>&1`, `>out`), the part after
/// the operator.
fn redirect_rest(t: &str) -> Option<&str> {
    let s = t.trim_start_matches(|c: char| c.is_ascii_digit() || c == '&');
    let rest = s
        .strip_prefix(">>")
        .or_else(|| s.strip_prefix(">&"))
        .or_else(|| s.strip_prefix(">|"))
        .or_else(|| s.strip_prefix('>'))
        .or_else(|| s.strip_prefix("<<<"))
        .or_else(|| s.strip_prefix("<<"))
        .or_else(|| s.strip_prefix('<'))?;
    Some(rest)
}

fn is_assignment(t: &str) -> bool {
    match t.find('=') {
        Some(eq) if eq > 0 => {
            let name = &t[..eq];
            name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && !name.as_bytes()[0].is_ascii_digit()
        }
        _ => false,
    }
}

fn basename(t: &str) -> &str {
    let t = t.trim_end_matches('/');
    t.rsplit('/').next().unwrap_or(t)
}

/// Program and subcommand names are echoed into fingerprints and logs: only
/// plain names are kept.
fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'+'))
}

fn valid_sub(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.as_bytes()[0].is_ascii_alphanumeric()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b':'))
}

/// Shell keywords and setup commands that never are "the" command of a chain.
const SETUP: &[&str] = &[
    "cd", "pushd", "popd", "export", "set", "source", ".", "unset", "ulimit", "umask", "alias",
    "shopt", ":", "true", "for", "case", "select", "done", "fi", "esac", "local", "declare",
];
const KEYWORDS: &[&str] = &[
    "!", "{", "}", "(", ")", "if", "then", "else", "elif", "while", "until", "do",
];

/// Subcommand depth: how many non-option words after the program belong to the head.
fn sub_depth(prog: &str) -> usize {
    match prog {
        "cargo" | "npm" | "pnpm" | "yarn" | "bun" | "go" | "git" | "docker" | "kubectl"
        | "make" | "uv" | "poetry" | "pip" | "pipenv" | "pdm" | "helm" | "terraform" | "tofu"
        | "rustup" | "brew" | "apt" | "apt-get" | "dnf" | "yum" | "systemctl" | "deno"
        | "dotnet" | "mvn" | "gradle" | "gradlew" | "bundle" | "rails" | "rake" | "gem"
        | "composer" | "mix" | "swift" | "flutter" | "dart" | "conda" | "pixi" | "nx" | "turbo"
        | "just" | "task" | "heroku" | "vercel" | "wrangler" | "supabase" | "prisma"
        | "alembic" | "django-admin" | "podman" | "minikube" | "kind" | "firebase" | "stack"
        | "cabal" | "zig" | "nix" => 1,
        "gh" | "aws" | "gcloud" | "az" => 2,
        _ => 0,
    }
}

/// Options (before the subcommand) that take a separate value.
fn opt_takes_value(prog: &str, opt: &str) -> bool {
    match prog {
        "git" => matches!(
            opt,
            "-C" | "-c" | "--git-dir" | "--work-tree" | "--namespace"
        ),
        "cargo" => matches!(opt, "-Z" | "--config" | "-C" | "--color"),
        "make" => matches!(
            opt,
            "-C" | "-f" | "--file" | "--directory" | "-I" | "-o" | "-W" | "-l"
        ),
        "docker" | "podman" => matches!(
            opt,
            "-H" | "--host"
                | "--context"
                | "-c"
                | "--config"
                | "--log-level"
                | "-l"
                | "-f"
                | "--file"
                | "-p"
                | "--project-name"
                | "--profile"
                | "--env-file"
                | "--project-directory"
        ),
        "kubectl" | "helm" => matches!(
            opt,
            "-n" | "--namespace" | "--context" | "--kubeconfig" | "-l" | "--cluster" | "--user"
        ),
        "npm" | "pnpm" | "yarn" | "bun" => {
            matches!(
                opt,
                "-C" | "--dir" | "--prefix" | "-w" | "--workspace" | "--filter" | "--cwd"
            )
        }
        "uv" | "poetry" => matches!(opt, "--directory" | "--project" | "-C" | "--python" | "-p"),
        "go" => matches!(opt, "-C"),
        "terraform" | "tofu" => opt.starts_with("-chdir"),
        _ => false,
    }
}

fn canonical_prog(p: &str) -> String {
    let p = p.to_ascii_lowercase();
    let p = p.strip_suffix(".exe").unwrap_or(&p);
    if p.starts_with("python") && p[6..].bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return "python".into();
    }
    match p {
        "pip3" => "pip".into(),
        "py.test" => "pytest".into(),
        "docker-compose" => "docker compose".into(),
        "nodejs" => "node".into(),
        _ => p.to_string(),
    }
}

fn head_of_tokens(toks: &[String], depth: u8) -> Head {
    let mut i = 0;
    loop {
        while i < toks.len() && (is_assignment(&toks[i]) || KEYWORDS.contains(&toks[i].as_str())) {
            i += 1;
        }
        let Some(tok) = toks.get(i) else {
            return Head::Skip(None);
        };
        let tok = tok
            .trim_start_matches(['(', '{'])
            .trim_end_matches([')', '}']);
        let raw = basename(tok);
        let prog = canonical_prog(raw);
        let next = toks.get(i + 1).map(String::as_str);
        i += 1;
        match prog.as_str() {
            "sudo" | "doas" => {
                i = skip_opts(
                    toks,
                    i,
                    &["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T"],
                )
            }
            "env" => {
                i = skip_opts(toks, i, &["-u", "-C", "-S", "--unset", "--chdir"]);
            }
            "time" | "nohup" | "exec" | "stdbuf" | "chrt" | "caffeinate" => {
                i = skip_opts(toks, i, &["-o", "-f"])
            }
            "nice" | "ionice" => i = skip_opts(toks, i, &["-n", "-c", "-p"]),
            "timeout" | "gtimeout" => {
                i = skip_opts(toks, i, &["-s", "-k", "--signal", "--kill-after"]);
                i += 1; // the duration
            }
            "xargs" => i = skip_opts(toks, i, &["-n", "-I", "-P", "-L", "-d", "-s", "-a", "-E"]),
            "command" if matches!(next, Some("-v" | "-V")) => {
                return Head::Found("command -v".into())
            }
            "command" | "builtin" => i = skip_opts(toks, i, &[]),
            "npx" | "bunx" | "pnpx" | "uvx" => {
                i = skip_opts(
                    toks,
                    i,
                    &["-p", "--package", "--from", "--with", "--python"],
                )
            }
            "pnpm" | "yarn" | "npm" if matches!(next, Some("exec" | "dlx")) => {
                i = skip_opts(toks, i + 1, &["-p", "--package", "-c"]);
            }
            "bun" if next == Some("x") => i = skip_opts(toks, i + 1, &[]),
            "uv" if next == Some("run") => {
                i = skip_opts(
                    toks,
                    i + 1,
                    &[
                        "--with",
                        "--python",
                        "-p",
                        "--package",
                        "--directory",
                        "--project",
                        "--env-file",
                        "--group",
                        "--extra",
                    ],
                );
            }
            "bundle" if next == Some("exec") => i = skip_opts(toks, i + 1, &[]),
            "poetry" | "pipenv" | "pdm" | "hatch" | "rye" if next == Some("run") => {
                i = skip_opts(toks, i + 1, &[]);
            }
            "python" => {
                // `python -m X` runs X; anything else is "python" (the script
                // name differs per project and says little about the failure).
                let mut j = i;
                while let Some(t) = toks.get(j) {
                    if t == "-m" {
                        break;
                    }
                    if t.starts_with("-m") && t.len() > 2 {
                        break;
                    }
                    if !t.starts_with('-') || t == "-c" {
                        return Head::Found("python".into());
                    }
                    j += if matches!(t.as_str(), "-X" | "-W") {
                        2
                    } else {
                        1
                    };
                }
                match toks.get(j) {
                    Some(t) if t == "-m" => i = j + 1,
                    Some(t) => {
                        // `-mpytest`: rewrite in place is not possible on a slice;
                        // resolve it directly.
                        let m = canonical_prog(&t[2..]);
                        if !valid_name(&m) {
                            return Head::Found("python".into());
                        }
                        return Head::Found(m);
                    }
                    None => return Head::Found("python".into()),
                }
            }
            "bash" | "sh" | "zsh" | "dash" => {
                let mut j = i;
                while let Some(t) = toks.get(j) {
                    if t.starts_with('-') && !t.starts_with("--") && t.contains('c') {
                        if depth < MAX_DEPTH {
                            if let Some(script) = toks.get(j + 1) {
                                if let Some(h) = head_at_depth(script, depth + 1) {
                                    return Head::Found(h);
                                }
                            }
                        }
                        break;
                    }
                    if !t.starts_with('-') {
                        break;
                    }
                    j += 1;
                }
                return Head::Found(prog);
            }
            _ => {
                if prog == "[" || prog == "[[" {
                    return Head::Found("test".into());
                }
                if !valid_name(&prog) && prog != "docker compose" {
                    return Head::Invalid;
                }
                let is_setup = SETUP.contains(&prog.as_str());
                let h = with_subcommands(prog, &toks[i..]);
                return if is_setup {
                    Head::Skip(Some(h))
                } else {
                    Head::Found(h)
                };
            }
        }
    }
}

/// Skips options after a wrapper; `with_value` lists those that consume the
/// next word. Stops at `--` (consumed) or the first non-option.
fn skip_opts(toks: &[String], mut i: usize, with_value: &[&str]) -> usize {
    while let Some(t) = toks.get(i) {
        if t == "--" {
            return i + 1;
        }
        if is_assignment(t) {
            i += 1;
            continue;
        }
        if !t.starts_with('-') || t.len() == 1 {
            break;
        }
        // `nice -5`, `-n10`
        i += if with_value.contains(&t.as_str()) {
            2
        } else {
            1
        };
    }
    i
}

fn with_subcommands(prog: String, rest: &[String]) -> String {
    let base = prog.split(' ').next().unwrap_or("").to_string();
    let mut depth = if prog == "docker compose" {
        1
    } else {
        sub_depth(&base)
    };
    let mut head = prog;
    let mut i = 0;
    let mut run_script = false;
    while depth > 0 {
        let Some(t) = rest.get(i) else { break };
        i += 1;
        if t.starts_with('-') {
            if opt_takes_value(&base, t) {
                i += 1;
            } else if base == "make" && t == "-j" {
                // `-j` takes an optional numeric argument.
                if rest
                    .get(i)
                    .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
                {
                    i += 1;
                }
            }
            continue;
        }
        if (base == "cargo" || base == "rustup") && t.starts_with('+') {
            continue;
        }
        if base == "make" && is_assignment(t) {
            continue;
        }
        if !valid_sub(t) {
            break;
        }
        let sub = t.to_ascii_lowercase();
        head.push(' ');
        head.push_str(&sub);
        depth -= 1;
        // Commands whose first word only groups the real one.
        let grouped = match base.as_str() {
            "docker" | "podman" => matches!(
                sub.as_str(),
                "compose"
                    | "container"
                    | "image"
                    | "network"
                    | "volume"
                    | "system"
                    | "buildx"
                    | "builder"
            ),
            "go" => matches!(sub.as_str(), "mod" | "tool" | "work"),
            "uv" => matches!(sub.as_str(), "pip" | "tool" | "python"),
            "npm" | "pnpm" | "yarn" | "bun" if !run_script => {
                run_script = matches!(sub.as_str(), "run" | "run-script");
                run_script
            }
            _ => false,
        };
        if grouped {
            depth += 1;
        }
    }
    head
}

pub use hookwatch_event::mcp_server_of;

#[cfg(test)]
mod tests {
    use super::*;

    fn h(c: &str) -> Option<String> {
        command_head(c)
    }

    #[test]
    fn heads() {
        let cases: &[(&str, Option<&str>)] = &[
            ("cargo test", Some("cargo test")),
            ("cargo +nightly test --workspace", Some("cargo test")),
            (
                "cd /work/shop && cargo test -p shop 2>&1 | tail -50",
                Some("cargo test"),
            ),
            ("npm install", Some("npm install")),
            ("npm ci --silent", Some("npm ci")),
            ("pnpm run build", Some("pnpm run build")),
            ("pnpm --filter web run build", Some("pnpm run build")),
            ("pnpm build", Some("pnpm build")),
            ("yarn test --watch=false", Some("yarn test")),
            ("git push origin main", Some("git push")),
            ("git -C repo push --force", Some("git push")),
            ("python -m pytest -x", Some("pytest")),
            ("python3.12 -u -m pytest", Some("pytest")),
            ("python script.py --x", Some("python")),
            (
                "python -m pip install -r requirements.txt",
                Some("pip install"),
            ),
            ("uv run pytest tests", Some("pytest")),
            ("uv run --with httpx python -m pytest", Some("pytest")),
            ("uv sync", Some("uv sync")),
            ("uv pip install x", Some("uv pip install")),
            ("poetry run pytest", Some("pytest")),
            ("docker compose up -d", Some("docker compose up")),
            ("docker-compose up", Some("docker compose up")),
            (
                "docker -H tcp://x:2375 compose -f a.yml up",
                Some("docker compose up"),
            ),
            ("docker image pull alpine", Some("docker image pull")),
            ("docker run --rm alpine", Some("docker run")),
            ("sudo -u www docker ps", Some("docker ps")),
            ("RUST_BACKTRACE=1 FOO='a b' cargo run", Some("cargo run")),
            ("env -u X FOO=1 npm test", Some("npm test")),
            ("time nice -n 10 make -j 4 all", Some("make all")),
            ("make CC=clang -C sub build", Some("make build")),
            ("make", Some("make")),
            ("timeout 60 go test ./...", Some("go test")),
            ("timeout -s KILL 5m cargo build", Some("cargo build")),
            ("npx jest --ci", Some("jest")),
            ("npx -y tsc --noEmit", Some("tsc")),
            ("pnpm exec vitest run", Some("vitest")),
            ("bunx eslint .", Some("eslint")),
            ("./node_modules/.bin/jest", Some("jest")),
            ("/usr/bin/python3 -m pytest", Some("pytest")),
            ("kubectl -n prod get pods", Some("kubectl get")),
            ("go mod tidy", Some("go mod tidy")),
            ("gh pr create --fill", Some("gh pr create")),
            ("bundle exec rspec spec/a_spec.rb", Some("rspec")),
            ("bash -c 'cd x && npm test'", Some("npm test")),
            ("bash -lc \"pytest -q\"", Some("pytest")),
            ("bash script.sh", Some("bash")),
            (
                "export A=1; source .venv/bin/activate; pytest",
                Some("pytest"),
            ),
            ("cd /nowhere", Some("cd")),
            ("grep -rn foo src", Some("grep")),
            ("[ -f x ]", Some("test")),
            ("command -v rg", Some("command -v")),
            ("if cargo test; then echo ok; fi", Some("cargo test")),
            ("cargo test > out.txt 2>&1", Some("cargo test")),
            ("cargo build & wait", Some("cargo build")),
            ("(cd x && make)", Some("make")),
            ("", None),
            ("   ", None),
            ("$CMD run", None),
            ("echo hi # comment && cargo test", Some("echo")),
        ];
        for (cmd, want) in cases {
            assert_eq!(h(cmd).as_deref(), *want, "command {cmd:?}");
        }
    }

    #[test]
    fn mcp_names() {
        assert_eq!(mcp_server_of("mcp__plugin_x_y__tool"), Some("plugin_x_y"));
        assert_eq!(mcp_server_of("mcp__srv"), Some("srv"));
        assert_eq!(mcp_server_of("mcp____tool"), None);
        assert_eq!(mcp_server_of("mcp_x"), None);
    }
}
