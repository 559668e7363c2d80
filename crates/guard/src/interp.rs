//! One-liners of the common interpreters (`python3 -c`, `perl -e`, `ruby
//! -e`, `node -e`, `php -r`, `deno eval`, and the same code fed on stdin by
//! a here-doc or here-string), read far enough to find what matters to the
//! Bash policies:
//!
//! - shell commands they run (`os.system("...")`, `subprocess.run([...])`,
//!   `system "..."`, backticks, `execSync('...')`): analysed as if typed;
//! - recursive deletions (`shutil.rmtree(p)`, `FileUtils.rm_rf(p)`,
//!   `fs.rmSync(p, {recursive: true})`, `remove_tree`): analysed as
//!   `rm -rf p`, with the home directory's usual spellings (`expanduser('~')`,
//!   `Path.home()`, `process.env.HOME`, `os.homedir()`, `ENV['HOME']`) read
//!   as `~`;
//! - and, when a deletion or shell call's target cannot be read (built at run
//!   time) while the code names a protected path, an `unclear` note: the
//!   guard asks rather than guesses.
//!
//! Not a parser of these languages: a tokenizer of string literals and
//! names, enough for one-liners. Runs only for commands that start an
//! interpreter with inline code.

/// The languages read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Python,
    Perl,
    Ruby,
    Node,
    Php,
}

pub fn lang(program: &str) -> Option<Lang> {
    let p = program;
    if p.starts_with("python") || p == "pypy" || p == "pypy3" {
        return Some(Lang::Python);
    }
    if p.starts_with("perl") {
        return Some(Lang::Perl);
    }
    if p.starts_with("ruby") || p == "jruby" {
        return Some(Lang::Ruby);
    }
    if matches!(p, "node" | "nodejs" | "bun" | "deno") {
        return Some(Lang::Node);
    }
    if p.starts_with("php") {
        return Some(Lang::Php);
    }
    None
}

/// Where an interpreter call's program comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `-c`/`-e`/`--eval`/`-r` text (several `-e` joined by newlines).
    Inline(String),
    /// No script named: the program is read from stdin.
    Stdin,
    /// A script file, a module (`-m`), or nothing to read.
    Other,
}

/// The program of `prog args…`.
pub fn source(program: &str, lang: Lang, args: &[String]) -> Source {
    let inline_flags: &[&str] = match lang {
        Lang::Python => &["-c"],
        Lang::Perl => &["-e", "-E"],
        Lang::Ruby => &["-e"],
        Lang::Node => &["-e", "--eval", "-p", "--print"],
        Lang::Php => &["-r"],
    };
    let mut code: Vec<String> = Vec::new();
    let mut i = 0;
    // `deno eval CODE`
    if program == "deno" {
        return match args.first().map(String::as_str) {
            Some("eval") => args
                .iter()
                .skip(1)
                .find(|a| !a.starts_with('-'))
                .map_or(Source::Other, |c| Source::Inline(c.clone())),
            _ => Source::Other,
        };
    }
    while let Some(a) = args.get(i) {
        let t = a.as_str();
        if inline_flags.contains(&t) {
            if let Some(c) = args.get(i + 1) {
                code.push(c.clone());
            }
            i += 2;
            continue;
        }
        // `-ec 'code'`-style clusters ending in the code flag, `-e'code'`.
        if let Some(f) = inline_flags
            .iter()
            .find(|f| f.len() == 2 && t.starts_with(**f) && t.len() > 2)
        {
            code.push(t[f.len()..].to_string());
            i += 1;
            continue;
        }
        if t.len() > 2
            && t.starts_with('-')
            && !t.starts_with("--")
            && t[1..].chars().all(|c| c.is_ascii_alphabetic())
        {
            let last = &t[t.len() - 1..];
            if inline_flags.iter().any(|f| f.len() == 2 && &f[1..] == last) {
                if let Some(c) = args.get(i + 1) {
                    code.push(c.clone());
                }
                i += 2;
                continue;
            }
        }
        if !code.is_empty() {
            break;
        }
        // Options that take the next word (`python3 -W ignore -c …`).
        let with_value: &[&str] = match lang {
            Lang::Python => &["-W", "-X", "--check-hash-based-pycs"],
            Lang::Perl => &["-I", "-x"],
            Lang::Ruby => &["-I", "-r", "-C", "-E"],
            Lang::Node => &[
                "-r",
                "--require",
                "--import",
                "--loader",
                "-C",
                "--conditions",
                "--input-type",
                "--env-file",
            ],
            Lang::Php => &["-d", "-c", "-z"],
        };
        if with_value.contains(&t) {
            i += 2;
            continue;
        }
        if t == "-" {
            return Source::Stdin;
        }
        if t == "-m" || (lang == Lang::Python && t.starts_with("-m")) {
            return Source::Other;
        }
        if !t.starts_with('-') {
            return Source::Other;
        }
        i += 1;
    }
    if code.is_empty() {
        Source::Stdin
    } else {
        Source::Inline(code.join("\n"))
    }
}

/// What the code does that the Bash policies judge.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Found {
    /// Shell command texts the code runs.
    pub shell: Vec<String>,
    /// Paths the code deletes recursively (`~` for the home directory).
    pub deletes: Vec<String>,
    /// A protected path named in code whose deletion or shell call could
    /// not be read.
    pub unclear: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Str(String),
    /// Backticks, Perl `qx{}` / Ruby `%x()`: a shell command.
    Shell(String),
    Name(String),
    Punct(char),
}

/// Functions that run a shell command (last name component).
const SHELL_CALLS: &[&str] = &[
    "system",
    "popen",
    "run",
    "call",
    "check_call",
    "check_output",
    "Popen",
    "getoutput",
    "getstatusoutput",
    "exec",
    "execSync",
    "execFileSync",
    "execFile",
    "spawn",
    "spawnSync",
    "shell_exec",
    "passthru",
    "proc_open",
    "capture2",
    "capture2e",
    "capture3",
    "popen2",
    "popen3",
    "execvp",
    "execv",
    "execl",
    "execlp",
    "spawnl",
    "spawnlp",
    "Command",
];

/// Functions that delete a tree (last name component), and whether they
/// need a `recursive` option to do so.
const TREE_DELETES: &[(&str, bool)] = &[
    ("rmtree", false),
    ("remove_tree", false),
    ("rm_rf", false),
    ("rm_r", false),
    ("remove_dir", false),
    ("remove_entry", false),
    ("remove_entry_secure", false),
    ("removedirs", false),
    ("rimraf", false),
    ("rmSync", true),
    ("rm", true),
    ("rmdirSync", true),
    ("rmdir", true),
    ("remove", true),
];

/// Spellings of the home directory in code.
fn is_home_expr(toks: &[Tok], i: usize) -> Option<usize> {
    let name = |k: usize| match toks.get(k) {
        Some(Tok::Name(n)) => Some(n.as_str()),
        _ => None,
    };
    let s = |k: usize| match toks.get(k) {
        Some(Tok::Str(v)) => Some(v.as_str()),
        _ => None,
    };
    let p = |k: usize, c: char| toks.get(k) == Some(&Tok::Punct(c));
    let n = name(i)?;
    // expanduser('~'), homedir(), home(), gethome: a call.
    if matches!(
        n,
        "homedir" | "home" | "Home" | "expanduser" | "get_home_dir" | "getHomeDir"
    ) {
        if p(i + 1, '(') {
            // expanduser("~/x") is handled by the literal itself.
            return Some(i + 1);
        }
        // Dir.home, Path.home (Ruby: no parentheses).
        return Some(i);
    }
    // os.environ['HOME'], os.getenv('HOME'), ENV['HOME'], $ENV{HOME},
    // process.env.HOME, getenv("HOME").
    if n == "HOME" {
        return Some(i);
    }
    if matches!(n, "environ" | "ENV" | "getenv" | "env") && s(i + 2) == Some("HOME") {
        return Some(i + 2);
    }
    None
}

fn tokenize(code: &str, lang: Lang) -> Vec<Tok> {
    let b: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() && out.len() < 20_000 {
        let c = b[i];
        // Comments (not inside strings).
        if (c == '#' && lang != Lang::Node && lang != Lang::Php)
            || (c == '/' && b.get(i + 1) == Some(&'/') && matches!(lang, Lang::Node | Lang::Php))
        {
            // `#{` in Ruby strings is handled inside strings; a `#` here
            // starts a comment, except Perl's `$#` and `qw#`.
            if !(lang == Lang::Perl && i > 0 && b[i - 1] == '$') {
                while i < b.len() && b[i] != '\n' {
                    i += 1;
                }
                continue;
            }
        }
        if c == '"' || c == '\'' || (c == '`' && lang == Lang::Node) {
            // Python triple quotes.
            let triple =
                lang == Lang::Python && b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&c);
            let (text, next) = if triple {
                read_until(&b, i + 3, &[c, c, c])
            } else {
                read_until(&b, i + 1, &[c])
            };
            out.push(Tok::Str(text));
            i = next;
            continue;
        }
        if c == '`' {
            let (text, next) = read_until(&b, i + 1, &['`']);
            out.push(Tok::Shell(text));
            i = next;
            continue;
        }
        // Perl qx{..}/qx(..), q{..}/qq{..}; Ruby %x(..), %q(..), %Q(..), %(..).
        let quote_like = match lang {
            Lang::Perl if (c == 'q') => {
                let kind: String = b[i..].iter().take(2).collect();
                if kind == "qx" || kind == "qq" {
                    Some((2, kind == "qx"))
                } else if b.get(i + 1).is_some_and(|d| "{([</|!".contains(*d)) {
                    Some((1, false))
                } else {
                    None
                }
            }
            Lang::Ruby if c == '%' => match b.get(i + 1) {
                Some('x') => Some((2, true)),
                Some('q' | 'Q' | 'w' | 'W') => Some((2, false)),
                Some(d) if "{([<|!".contains(*d) => Some((1, false)),
                _ => None,
            },
            _ => None,
        };
        if let Some((skip, shell)) = quote_like {
            let prev_ident = i > 0 && (b[i - 1].is_alphanumeric() || b[i - 1] == '_');
            if let (false, Some(&open)) = (prev_ident, b.get(i + skip)) {
                let close = match open {
                    '{' => '}',
                    '(' => ')',
                    '[' => ']',
                    '<' => '>',
                    o if !o.is_alphanumeric() && !o.is_whitespace() => o,
                    _ => '\0',
                };
                if close != '\0' {
                    let (text, next) = read_until(&b, i + skip + 1, &[close]);
                    out.push(if shell {
                        Tok::Shell(text)
                    } else {
                        Tok::Str(text)
                    });
                    i = next;
                    continue;
                }
            }
        }
        if c.is_alphanumeric() || c == '_' || c == '$' || c == '@' {
            let s = i;
            i += 1;
            while i < b.len() && (b[i].is_alphanumeric() || b[i] == '_') {
                i += 1;
            }
            let word: String = b[s..i].iter().collect();
            out.push(Tok::Name(word.trim_start_matches(['$', '@']).to_string()));
            continue;
        }
        if !c.is_whitespace() {
            out.push(Tok::Punct(c));
        }
        i += 1;
    }
    out
}

/// The text up to `end` (escapes kept but `\x` → `x` for quotes and
/// backslashes), and the index after it.
fn read_until(b: &[char], mut i: usize, end: &[char]) -> (String, usize) {
    let mut s = String::new();
    while i < b.len() {
        if b[i..].starts_with(end) {
            return (s, i + end.len());
        }
        if b[i] == '\\' && i + 1 < b.len() {
            let n = b[i + 1];
            if n == '\\' || end.contains(&n) || n == '"' || n == '\'' {
                s.push(n);
            } else if n == 'n' {
                s.push('\n');
            } else {
                s.push('\\');
                s.push(n);
            }
            i += 2;
            continue;
        }
        s.push(b[i]);
        i += 1;
    }
    (s, b.len())
}

/// Tokens of a call's arguments: from the token after the name to the
/// closing parenthesis, or (no parenthesis: Perl/Ruby) to the end of the
/// statement.
fn call_args(toks: &[Tok], name_at: usize) -> &[Tok] {
    let args = call_args_uncapped(toks, name_at);
    // One-liners have short calls; a pathological text must stay linear.
    &args[..args.len().min(256)]
}

fn call_args_uncapped(toks: &[Tok], name_at: usize) -> &[Tok] {
    let start = name_at + 1;
    match toks.get(start) {
        Some(Tok::Punct('(')) => {
            let mut depth = 0usize;
            for (k, t) in toks.iter().enumerate().skip(start) {
                match t {
                    Tok::Punct('(' | '[' | '{') => depth += 1,
                    Tok::Punct(')' | ']' | '}') => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return &toks[start + 1..k];
                        }
                    }
                    _ => {}
                }
            }
            &toks[start + 1..]
        }
        _ => {
            let end = toks[start..]
                .iter()
                .position(|t| matches!(t, Tok::Punct(';')))
                .map_or(toks.len(), |k| start + k);
            &toks[start.min(end)..end]
        }
    }
}

/// The path a deletion call's first argument names, if it can be read:
/// a literal, the home directory, or `os.path.join(home, 'x')`-like
/// joins of both.
fn path_arg(args: &[Tok]) -> Option<String> {
    // The first argument: up to a top-level comma.
    let mut depth = 0usize;
    let mut end = args.len();
    for (k, t) in args.iter().enumerate() {
        match t {
            Tok::Punct('(' | '[' | '{') => depth += 1,
            Tok::Punct(')' | ']' | '}') => depth = depth.saturating_sub(1),
            Tok::Punct(',') if depth == 0 => {
                end = k;
                break;
            }
            _ => {}
        }
    }
    let first = &args[..end];
    let mut parts: Vec<String> = Vec::new();
    let mut k = 0;
    let mut has_name = false;
    while k < first.len() {
        if let Some(last) = is_home_expr(first, k) {
            let expanduser = first[k] == Tok::Name("expanduser".into());
            let mut literal_tilde = false;
            parts.push("~".into());
            k = last + 1;
            // Skip the call's own parentheses and `'~'`.
            if first.get(k - 1) == Some(&Tok::Punct('(')) {
                let mut d = 1;
                while k < first.len() && d > 0 {
                    match &first[k] {
                        Tok::Punct('(') => d += 1,
                        Tok::Punct(')') => d -= 1,
                        Tok::Str(v) if v == "~" => literal_tilde = true,
                        Tok::Str(v) if v.starts_with("~/") => {
                            literal_tilde = true;
                            parts.push(v[2..].to_string())
                        }
                        // expanduser(sys.argv[1]): computed, not home.
                        Tok::Name(_) | Tok::Str(_) => return None,
                        _ => {}
                    }
                    k += 1;
                }
            }
            // `Path(d).expanduser()` expands whatever d is.
            if expanduser && !literal_tilde {
                return None;
            }
            continue;
        }
        // `require('os')`: a module name, not a path.
        if first[k] == Tok::Name("require".into()) && first.get(k + 1) == Some(&Tok::Punct('(')) {
            k += 2;
            while k < first.len() && first[k] != Tok::Punct(')') {
                k += 1;
            }
            k += 1;
            continue;
        }
        match &first[k] {
            Tok::Str(v) => parts.push(v.clone()),
            Tok::Name(n)
                if !matches!(
                    n.as_str(),
                    "os" | "path"
                        | "join"
                        | "Path"
                        | "File"
                        | "expand_path"
                        | "resolve"
                        | "fs"
                        | "require"
                        | "shutil"
                        | "FileUtils"
                        | "pathlib"
                        | "Dir"
                        | "process"
                        | "Pathname"
                        | "Deno"
                        | "sys"
                        | "str"
                        | "new"
                ) =>
            {
                has_name = true
            }
            _ => {}
        }
        k += 1;
    }
    // A part computed at run time: the path cannot be read.
    if parts.is_empty() || has_name {
        return None;
    }
    let mut p = String::new();
    for (n, part) in parts.iter().enumerate() {
        if n == 0 {
            p.push_str(part);
        } else if !part.is_empty() {
            if !p.ends_with('/') && !part.starts_with('/') {
                p.push('/');
            }
            p.push_str(part);
        }
    }
    // `~user` forms and `~` inside are left as written; `~/x` is home.
    if has_name && !p.starts_with('~') && !p.starts_with('/') {
        return None;
    }
    Some(p)
}

/// A literal that names a protected place: the root, home, a system
/// directory.
fn protected_literal(s: &str) -> bool {
    let s = s.trim();
    if s == "/" || s == "~" || s.starts_with("~/") || s == "$HOME" || s == "HOME" {
        return true;
    }
    const TOP: &[&str] = &[
        "/etc", "/usr", "/bin", "/sbin", "/boot", "/var", "/home", "/root", "/lib", "/opt",
        "/Users", "/System", "/Library",
    ];
    TOP.iter()
        .any(|t| s == *t || s.strip_prefix(t).is_some_and(|r| r.starts_with('/')))
}

/// Read `code`.
pub fn scan(lang: Lang, code: &str) -> Found {
    let toks = tokenize(code, lang);
    let mut found = Found::default();
    for (i, t) in toks.iter().enumerate() {
        if found.shell.len() + found.deletes.len() >= 64 {
            break;
        }
        match t {
            Tok::Shell(cmd) => found.shell.push(cmd.clone()),
            Tok::Name(n) => {
                let prev_dot = i > 0 && matches!(toks[i - 1], Tok::Punct('.'));
                if let Some((_, needs_recursive)) = TREE_DELETES.iter().find(|(f, _)| f == n) {
                    // `rm`/`remove`/`rmdir` are too common as plain names:
                    // only as methods (fs.rm, Deno.remove) with recursive.
                    let args = call_args(&toks, i);
                    if *needs_recursive {
                        let recursive = args
                            .iter()
                            .any(|a| matches!(a, Tok::Name(x) if x == "recursive" || x == "force"))
                            || (n == "rmdir" && lang == Lang::Python);
                        if !prev_dot || !recursive {
                            continue;
                        }
                    }
                    match path_arg(args) {
                        Some(p) => found.deletes.push(p),
                        None => unclear_near(&mut found, args),
                    }
                    continue;
                }
                if SHELL_CALLS.contains(&n.as_str()) {
                    // `run`/`call`/`exec`/`spawn`/`Command` are ordinary
                    // names too: only as methods (subprocess.run,
                    // child_process.spawn) or, for system/exec, as calls.
                    let method_only = matches!(
                        n.as_str(),
                        "run" | "call" | "spawn" | "Command" | "popen" | "exec"
                    );
                    if method_only && !prev_dot && !(lang == Lang::Perl && n == "exec") {
                        continue;
                    }
                    let args = call_args(&toks, i);
                    // The command: positional arguments only (a string, a
                    // list of words, or words); keyword arguments
                    // (`cwd="/tmp"`) and option objects (`{stdio: …}`) are
                    // not part of it.
                    let mut strs: Vec<&str> = Vec::new();
                    let mut names = false;
                    for part in top_level(args) {
                        let keyword = matches!(part, [Tok::Name(_), Tok::Punct('='), ..]);
                        let object = matches!(part.first(), Some(Tok::Punct('{')));
                        if keyword || object {
                            continue;
                        }
                        for t in part {
                            match t {
                                Tok::Str(s) => strs.push(s.as_str()),
                                Tok::Name(x)
                                    if !matches!(
                                        x.as_str(),
                                        "True" | "true" | "False" | "false" | "None" | "nil"
                                    ) =>
                                {
                                    names = true
                                }
                                _ => {}
                            }
                        }
                    }
                    if strs.is_empty() {
                        if names {
                            unclear_near(&mut found, args);
                        }
                        continue;
                    }
                    // A list of words (`["rm", "-rf", "/"]`) or one shell text.
                    let text = if strs.len() > 1 {
                        strs.iter()
                            .map(|s| {
                                if s.contains([' ', '\'', '"', '$', '`', ';', '&', '|']) {
                                    format!("'{}'", s.replace('\'', "'\\''"))
                                } else {
                                    s.to_string()
                                }
                            })
                            .collect::<Vec<_>>()
                            .join(" ")
                    } else {
                        strs[0].to_string()
                    };
                    if names {
                        unclear_near(&mut found, args);
                    }
                    found.shell.push(text);
                }
            }
            _ => {}
        }
    }
    found.shell.truncate(64);
    found.deletes.truncate(64);
    found
}

/// The arguments of a call, split at top-level commas.
fn top_level(args: &[Tok]) -> Vec<&[Tok]> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (k, t) in args.iter().enumerate() {
        match t {
            Tok::Punct('(' | '[' | '{') => depth += 1,
            Tok::Punct(')' | ']' | '}') => depth = depth.saturating_sub(1),
            Tok::Punct(',') if depth == 0 => {
                out.push(&args[start..k]);
                start = k + 1;
            }
            _ => {}
        }
    }
    out.push(&args[start..]);
    out
}

/// A deletion or shell call whose target is computed: unclear when its own
/// arguments name a protected place (not a bare "/", a common separator).
fn unclear_near(found: &mut Found, args: &[Tok]) {
    if found.unclear.is_some() {
        return;
    }
    found.unclear = args.iter().enumerate().find_map(|(k, t)| match t {
        Tok::Str(s) if s.trim() != "/" && protected_literal(s) => Some(s.clone()),
        // (`expanduser(x)` expands whatever x is: not itself a mention.)
        Tok::Name(n) if n != "expanduser" && is_home_expr(args, k).is_some() => {
            Some("the home directory".into())
        }
        _ => None,
    });
}

/// `rm -rf PATH` as shell text for the rm policies, `~` kept expandable.
pub fn rm_command(path: &str) -> String {
    let quote = |s: &str| format!("'{}'", s.replace('\'', "'\\''"));
    match path.strip_prefix('~') {
        Some("") => "rm -rf ~".into(),
        Some(rest) if rest.starts_with('/') => format!("rm -rf ~/{}", quote(&rest[1..])),
        _ => format!("rm -rf {}", quote(path)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn sources() {
        assert_eq!(
            source("python3", Lang::Python, &args(&["-c", "x"])),
            Source::Inline("x".into())
        );
        assert_eq!(
            source("python3", Lang::Python, &args(&["-"])),
            Source::Stdin
        );
        assert_eq!(source("python3", Lang::Python, &args(&[])), Source::Stdin);
        assert_eq!(
            source("python3", Lang::Python, &args(&["script.py"])),
            Source::Other
        );
        assert_eq!(
            source("python3", Lang::Python, &args(&["-m", "http.server"])),
            Source::Other
        );
        assert_eq!(
            source("perl", Lang::Perl, &args(&["-e", "a", "-e", "b"])),
            Source::Inline("a\nb".into())
        );
        assert_eq!(
            source("perl", Lang::Perl, &args(&["-le", "print 1"])),
            Source::Inline("print 1".into())
        );
        assert_eq!(
            source("node", Lang::Node, &args(&["--eval", "x"])),
            Source::Inline("x".into())
        );
        assert_eq!(
            source("deno", Lang::Node, &args(&["eval", "x"])),
            Source::Inline("x".into())
        );
        assert_eq!(
            source("ruby", Lang::Ruby, &args(&["-e", "x"])),
            Source::Inline("x".into())
        );
    }

    #[test]
    fn shell_calls_and_deletions() {
        let f = scan(Lang::Python, "import os; os.system('rm -rf /')");
        assert_eq!(f.shell, vec!["rm -rf /"]);
        let f = scan(
            Lang::Python,
            "import subprocess; subprocess.run(['rm', '-rf', '/home/u'])",
        );
        assert_eq!(f.shell, vec!["rm -rf /home/u"]);
        let f = scan(
            Lang::Python,
            "import shutil, os; shutil.rmtree(os.path.expanduser('~'))",
        );
        assert_eq!(f.deletes, vec!["~"]);
        let f = scan(
            Lang::Python,
            "import shutil, os; shutil.rmtree(os.path.join(os.path.expanduser('~'), 'Documents'))",
        );
        assert_eq!(f.deletes, vec!["~/Documents"]);
        let f = scan(
            Lang::Python,
            "from pathlib import Path; import shutil; shutil.rmtree(Path.home())",
        );
        assert_eq!(f.deletes, vec!["~"]);
        let f = scan(Lang::Perl, "system \"rm -rf ~\"");
        assert_eq!(f.shell, vec!["rm -rf ~"]);
        let f = scan(
            Lang::Perl,
            "use File::Path qw(remove_tree); remove_tree('/etc')",
        );
        assert_eq!(f.deletes, vec!["/etc"]);
        let f = scan(Lang::Perl, "`rm -rf /`");
        assert_eq!(f.shell, vec!["rm -rf /"]);
        let f = scan(Lang::Ruby, "require 'fileutils'; FileUtils.rm_rf(Dir.home)");
        assert_eq!(f.deletes, vec!["~"]);
        let f = scan(Lang::Ruby, "system('rm', '-rf', '/')");
        assert_eq!(f.shell, vec!["rm -rf /"]);
        let f = scan(
            Lang::Node,
            "require('fs').rmSync('/', {recursive: true, force: true})",
        );
        assert_eq!(f.deletes, vec!["/"]);
        let f = scan(Lang::Node, "require('child_process').execSync('rm -rf /')");
        assert_eq!(f.shell, vec!["rm -rf /"]);
        let f = scan(
            Lang::Node,
            "fs.rmSync(require('os').homedir(), {recursive:true})",
        );
        assert_eq!(f.deletes, vec!["~"]);
        // Only the command: options and keyword arguments are not words of it.
        let f = scan(
            Lang::Node,
            "require('child_process').execSync('rm -rf ~', {stdio: 'inherit'})",
        );
        assert_eq!(f.shell, vec!["rm -rf ~"]);
        let f = scan(Lang::Python, "import subprocess; subprocess.run('rm -rf /', shell=True, cwd='/tmp', encoding='utf-8')");
        assert_eq!(f.shell, vec!["rm -rf /"]);
        let f = scan(
            Lang::Node,
            "require('child_process').spawnSync('rm', ['-rf', '/'], {stdio: 'inherit'})",
        );
        assert_eq!(f.shell, vec!["rm -rf /"]);
        let f = scan(Lang::Php, "shell_exec('rm -rf /');");
        assert_eq!(f.shell, vec!["rm -rf /"]);
    }

    #[test]
    fn what_cannot_be_read_is_unclear_only_near_a_protected_path() {
        let f = scan(
            Lang::Python,
            "import shutil,os,sys; shutil.rmtree(os.path.join('/etc', sys.argv[1]))",
        );
        assert_eq!(f.unclear.as_deref(), Some("/etc"));
        // expanduser of a computed path is not the home directory.
        let f = scan(
            Lang::Python,
            "import shutil,os,sys; shutil.rmtree(os.path.expanduser(sys.argv[1]))",
        );
        assert!(f.deletes.is_empty(), "{f:?}");
        let f = scan(
            Lang::Python,
            "import shutil; from pathlib import Path; shutil.rmtree(Path(d).expanduser())",
        );
        assert!(f.deletes.is_empty(), "{f:?}");
        // A bare "/" elsewhere (a join separator) is not a reason to ask.
        let f = scan(
            Lang::Python,
            "import asyncio; print('/'.join(parts)); asyncio.run(main())",
        );
        assert_eq!(f.unclear, None);
        let f = scan(Lang::Python, "import shutil; shutil.rmtree(build_dir)");
        assert_eq!(f.unclear, None);
        assert!(f.deletes.is_empty());
    }

    #[test]
    fn ordinary_code_finds_nothing() {
        for (l, c) in [
            (Lang::Python, "print(sum(range(10)))"),
            (
                Lang::Python,
                "import json,sys; print(json.load(sys.stdin)['name'])",
            ),
            (Lang::Python, "import os; print(os.path.expanduser('~'))"),
            (Lang::Node, "console.log(require('./package.json').version)"),
            (
                Lang::Node,
                "const x = [1,2].map(n => n * 2); console.log(x)",
            ),
            (Lang::Ruby, "puts Dir.home"),
            (Lang::Perl, "print join(',', @ARGV)"),
            (Lang::Python, "import os; os.remove('build/x.o')"),
            (Lang::Node, "fs.rmSync('dist/out.js')"),
        ] {
            let f = scan(l, c);
            assert!(
                f.shell.is_empty() && f.deletes.is_empty() && f.unclear.is_none(),
                "{c}: {f:?}"
            );
        }
    }

    #[test]
    fn rm_commands_quote() {
        assert_eq!(rm_command("~"), "rm -rf ~");
        assert_eq!(rm_command("~/My Docs"), "rm -rf ~/'My Docs'");
        assert_eq!(rm_command("/etc"), "rm -rf '/etc'");
    }
}
