//! From a parsed shell text to the simple commands that would actually run.
//!
//! Expands what is knowable (`~`, `$HOME`, `$PWD`, literal `cd` earlier in
//! the chain), strips wrappers (`sudo`, `env`, `xargs`, `timeout`, ...),
//! descends into nested scripts (`bash -c`, `eval`, `$( )`, here-docs fed to
//! a shell, `find -exec`) and records what feeds each command's stdin.

use crate::shell::{
    self, Command, HereDoc, Part, RedirOp, Redirect, Script, Simple, Word, MAX_DEPTH,
};

/// Commands per analysed call; beyond that the call counts as unanalysable.
pub const MAX_CMDS: usize = 4096;

/// An argument after expansion.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Arg {
    /// Expanded text; unknown expansions appear as written (`$X`, `$(..)`).
    pub text: String,
    /// No unknown expansion contributed to `text`.
    pub known: bool,
    /// Contains an unquoted `*`, `?` or `[`.
    pub glob: bool,
    /// Part of the value comes from a downloader run in `$( )` / `<( )`.
    pub download: bool,
}

impl Arg {
    pub fn lit(s: &str) -> Arg {
        Arg {
            text: s.to_string(),
            known: true,
            ..Arg::default()
        }
    }

    fn unknown(s: &str) -> Arg {
        Arg {
            text: s.to_string(),
            ..Arg::default()
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Redir {
    pub fd: Option<u32>,
    pub op: RedirOp,
    pub target: Arg,
}

impl Redir {
    /// Opens its target for writing.
    pub fn writes(&self) -> bool {
        match self.op {
            RedirOp::Out
            | RedirOp::Append
            | RedirOp::Clobber
            | RedirOp::OutErr
            | RedirOp::AppendErr
            | RedirOp::InOut => true,
            // `>&2` duplicates a descriptor; `>& file` writes a file.
            RedirOp::DupOut => {
                let t = &self.target.text;
                t != "-" && !t.bytes().all(|b| b.is_ascii_digit())
            }
            _ => false,
        }
    }
}

/// One simple command as it would be executed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cmd {
    /// Program name: basename for absolute paths, literal otherwise; empty
    /// for a redirection-only command (`> file`).
    pub program: String,
    /// argv[0] as written (after expansion).
    pub path: String,
    pub args: Vec<Arg>,
    pub redirects: Vec<Redir>,
    /// Working directory at that point of the script (None: unknown).
    pub cwd: Option<String>,
    /// argv joined by single spaces with the program's basename.
    pub display: String,
    /// stdin comes from a downloader (pipe or `< <(curl ..)`).
    pub stdin_download: bool,
    /// Runs a script file written by a downloader earlier in the text.
    pub runs_download: bool,
    /// Interpreter code (`python3 -c`, ...) that deletes or runs something
    /// it builds at run time, and names this protected path.
    pub code_risk: Option<String>,
}

pub struct Analysis {
    pub cmds: Vec<Cmd>,
    /// Parts that could not be analysed (nested `bash -c` text that does not
    /// parse, budget exceeded).
    pub errors: Vec<String>,
}

pub const SHELLS: &[&str] = &[
    "sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "yash", "fish", "tcsh", "csh", "rbash",
];

pub const DOWNLOADERS: &[&str] = &[
    "curl",
    "wget",
    "fetch",
    "http",
    "https",
    "xh",
    "aria2c",
    "lwp-request",
    "GET",
];

pub fn is_shell(p: &str) -> bool {
    SHELLS.contains(&p)
}

/// Interpreters that execute a program read from stdin.
pub fn is_interpreter(p: &str) -> bool {
    is_shell(p)
        || p.starts_with("python")
        || p.starts_with("perl")
        || p.starts_with("ruby")
        || p.starts_with("php")
        || matches!(
            p,
            "node" | "nodejs" | "bun" | "deno" | "lua" | "Rscript" | "osascript"
        )
}

pub fn is_downloader(c: &Cmd) -> bool {
    DOWNLOADERS.contains(&c.program.as_str())
}

/// `/bin/rm` → `rm`; `./rm` stays `./rm` (it is a local script, not rm).
pub fn program_name(t: &str) -> &str {
    if t.starts_with('/') {
        t.rsplit('/').next().unwrap_or(t)
    } else {
        t
    }
}

/// Lexical normalisation: `//`, `/./`, `..`, trailing `/`. No symlinks.
pub fn normalize(p: &str) -> String {
    let mut stack: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                stack.pop();
            }
            c => stack.push(c),
        }
    }
    let mut s = String::with_capacity(p.len());
    for c in &stack {
        s.push('/');
        s.push_str(c);
    }
    if s.is_empty() {
        s.push('/');
    }
    s
}

/// `p` as the kernel resolves it: a `..` after a symlink climbs from the
/// symlink's target (`/var/tmp/../etc` is `/etc` when /var/tmp links to
/// /tmp). Reads the file system, so only for paths that climb with `..`;
/// what does not exist is taken lexically. None without a base.
pub fn physical(cwd: Option<&str>, p: &str) -> Option<String> {
    let abs = if p.starts_with('/') {
        p.to_string()
    } else {
        format!("{}/{p}", cwd?)
    };
    let mut cur = std::path::PathBuf::from("/");
    for (n, c) in abs.split('/').enumerate() {
        if n > 64 {
            return None;
        }
        match c {
            "" | "." => {}
            ".." => {
                cur.pop();
            }
            c => {
                cur.push(c);
                let link =
                    std::fs::symlink_metadata(&cur).is_ok_and(|m| m.file_type().is_symlink());
                if link {
                    if let Ok(t) = std::fs::canonicalize(&cur) {
                        cur = t;
                    }
                }
            }
        }
    }
    Some(normalize(&cur.to_string_lossy()))
}

/// Absolute, normalised path of `p` seen from `cwd`.
pub fn resolve(cwd: Option<&str>, p: &str) -> Option<String> {
    if p.is_empty() {
        return None;
    }
    if p.starts_with('/') {
        Some(normalize(p))
    } else {
        cwd.map(|c| normalize(&format!("{c}/{p}")))
    }
}

pub fn is_assignment(t: &str) -> bool {
    match t.find('=') {
        Some(eq) if eq > 0 => {
            let n = &t.as_bytes()[..eq];
            (n[0].is_ascii_alphabetic() || n[0] == b'_')
                && n.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        }
        _ => false,
    }
}

/// Index of the first operand, skipping options. `with_arg`: short option
/// letters that take a value; `long_arg`: long options that take one.
pub fn skip_opts(args: &[Arg], with_arg: &str, long_arg: &[&str]) -> usize {
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let t = a.text.as_str();
        if t == "--" {
            return i + 1;
        }
        if let Some(long) = t.strip_prefix("--") {
            i += if !long.contains('=') && long_arg.contains(&long) {
                2
            } else {
                1
            };
            continue;
        }
        if t.len() > 1 && t.starts_with('-') {
            i += 1;
            let cluster = &t[1..];
            for (k, ch) in cluster.char_indices() {
                if with_arg.contains(ch) {
                    if k + ch.len_utf8() == cluster.len() {
                        i += 1;
                    }
                    break;
                }
            }
            continue;
        }
        break;
    }
    i.min(args.len())
}

/// How a shell was asked to run: `-c STRING`, a script file, or stdin.
pub struct ShellInvocation<'a> {
    pub command: Option<&'a Arg>,
    pub script: Option<&'a Arg>,
    pub stdin: bool,
}

pub fn shell_invocation(args: &[Arg]) -> ShellInvocation<'_> {
    let mut has_c = false;
    let mut stdin_flag = false;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let t = a.text.as_str();
        if t == "--" || t == "-" {
            i += 1;
            if t == "-" {
                stdin_flag = true;
            }
            break;
        }
        if let Some(long) = t.strip_prefix("--") {
            i += if matches!(long, "rcfile" | "init-file") {
                2
            } else {
                1
            };
            continue;
        }
        if (t.starts_with('-') || t.starts_with('+')) && t.len() > 1 {
            let cl = &t[1..];
            i += 1;
            if cl.contains('c') {
                has_c = true;
            }
            if cl.contains('s') && t.starts_with('-') {
                stdin_flag = true;
            }
            if cl.contains('o') || cl.contains('O') {
                i += 1;
            }
            continue;
        }
        break;
    }
    let operand = args.get(i);
    if has_c {
        ShellInvocation {
            command: operand,
            script: None,
            stdin: false,
        }
    } else if stdin_flag {
        ShellInvocation {
            command: None,
            script: None,
            stdin: true,
        }
    } else {
        ShellInvocation {
            command: None,
            script: operand,
            stdin: operand.is_none(),
        }
    }
}

/// Whether an interpreter (python, perl, node, ...) reads its program from
/// stdin, and which operand is its script otherwise.
pub fn interpreter_stdin<'a>(program: &str, args: &'a [Arg]) -> (bool, Option<&'a Arg>) {
    if is_shell(program) {
        let inv = shell_invocation(args);
        return (inv.stdin, inv.script);
    }
    let (code, with_arg): (&str, &str) = if program.starts_with("python") {
        ("cm", "WX")
    } else if program.starts_with("perl") {
        ("eE", "")
    } else if program.starts_with("ruby") {
        ("e", "rICE")
    } else if program.starts_with("php") {
        ("rfR", "dc")
    } else {
        ("ep", "r")
    };
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let t = a.text.as_str();
        if t == "-" {
            return (true, None);
        }
        if t == "--" {
            i += 1;
            break;
        }
        if let Some(long) = t.strip_prefix("--") {
            if matches!(long.split('=').next(), Some("eval" | "print" | "command")) {
                return (false, None);
            }
            i += if long == "require" { 2 } else { 1 };
            continue;
        }
        if t.starts_with('-') && t.len() > 1 {
            let cl = &t[1..];
            if cl.chars().any(|c| code.contains(c)) {
                return (false, None);
            }
            i += 1;
            if cl.len() == 1 && with_arg.contains(cl) {
                i += 1;
            }
            continue;
        }
        break;
    }
    match args.get(i) {
        None => (true, None),
        Some(a) if a.text == "-" => (true, None),
        Some(a) => (false, Some(a)),
    }
}

#[derive(Debug, Clone, Default)]
struct Stdin {
    download: bool,
    /// Literal words produced by `echo` / `printf` (for `xargs`).
    words: Option<Vec<String>>,
    /// Their text (for `echo "..." | sh`).
    text: Option<String>,
}

pub fn analyse(src: &str, home: Option<&str>, cwd: &str) -> Result<Analysis, String> {
    let parsed = shell::parse(src, 0).map_err(|e| e.0)?;
    let mut an = An {
        home,
        cmds: Vec::new(),
        errors: Vec::new(),
        downloaded: Vec::new(),
        vars: Vec::new(),
        overflow: false,
    };
    let mut cwd = Some(normalize(cwd));
    an.script(&parsed.script, &parsed.heredocs, &mut cwd, 0);
    Ok(Analysis {
        cmds: an.cmds,
        errors: an.errors,
    })
}

struct An<'h> {
    home: Option<&'h str>,
    cmds: Vec<Cmd>,
    errors: Vec<String>,
    /// Files written by downloaders so far (`curl -o x.sh`, `wget -O x.sh`).
    downloaded: Vec<String>,
    /// Variables assigned literally earlier in the text (`D=/; rm -rf $D`);
    /// None: assigned something unknown or unset. Not scoped to subshells,
    /// which can only make the analysis see more.
    vars: Vec<(String, Option<String>)>,
    overflow: bool,
}

type Cwd = Option<String>;

impl An<'_> {
    fn script(&mut self, s: &Script, hd: &[HereDoc], cwd: &mut Cwd, depth: usize) {
        if depth > MAX_DEPTH {
            self.fail("nesting too deep");
            return;
        }
        for pl in &s.items {
            if self.overflow {
                return;
            }
            let mut stdin = Stdin::default();
            for c in pl {
                let (out, cd) = self.command(c, hd, cwd, depth, &stdin);
                // In a pipeline each command runs in a subshell: `cd` only
                // sticks when it stands alone.
                if pl.len() == 1 {
                    if let Some(new) = cd {
                        *cwd = new;
                    }
                }
                stdin = Stdin {
                    download: stdin.download || out.download,
                    words: out.words,
                    text: out.text,
                };
            }
        }
    }

    fn var(&self, name: &str, cwd: &Cwd) -> Option<String> {
        if let Some((_, v)) = self.vars.iter().rev().find(|(n, _)| n == name) {
            return v.clone();
        }
        match name {
            "HOME" => self.home.map(str::to_string),
            "PWD" => cwd.clone(),
            // The agent's shell gets the hook's temporary directory (Claude
            // Code starts both); unset means /tmp.
            "TMPDIR" => Some(
                std::env::var("TMPDIR")
                    .ok()
                    .filter(|t| t.starts_with('/'))
                    .unwrap_or_else(|| "/tmp".into()),
            ),
            _ => None,
        }
    }

    fn set_var(&mut self, name: &str, v: &Arg) {
        if self.vars.len() >= 256 {
            return;
        }
        let value = (v.known && !v.glob).then(|| v.text.clone());
        self.vars.push((name.to_string(), value));
    }

    fn fail(&mut self, msg: &str) {
        if !self.errors.iter().any(|e| e == msg) {
            self.errors.push(msg.to_string());
        }
    }

    fn command(
        &mut self,
        c: &Command,
        hd: &[HereDoc],
        cwd: &Cwd,
        depth: usize,
        stdin: &Stdin,
    ) -> (Stdin, Option<Cwd>) {
        match c {
            Command::Simple(s) => self.simple(s, hd, cwd, depth, stdin),
            Command::Subshell(body, redirs) => {
                let before = self.cmds.len();
                let mut inner = cwd.clone();
                self.script(body, hd, &mut inner, depth + 1);
                let download = self.cmds[before.min(self.cmds.len())..]
                    .iter()
                    .any(is_downloader);
                let redirects = self.redirects(redirs, hd, cwd, depth);
                if redirects.iter().any(Redir::writes) {
                    self.emit(Cmd {
                        redirects,
                        cwd: cwd.clone(),
                        ..Cmd::default()
                    });
                }
                (
                    Stdin {
                        download,
                        ..Stdin::default()
                    },
                    None,
                )
            }
            Command::Words(ws) => {
                for w in ws {
                    self.expand(w, hd, cwd, depth);
                }
                (Stdin::default(), None)
            }
        }
    }

    fn expand(&mut self, w: &Word, hd: &[HereDoc], cwd: &Cwd, depth: usize) -> Arg {
        let mut a = Arg {
            known: true,
            ..Arg::default()
        };
        for p in &w.parts {
            match p {
                Part::Lit { text, quoted } => {
                    a.text.push_str(text);
                    if !quoted && text.contains(['*', '?', '[']) {
                        a.glob = true;
                    }
                }
                Part::Tilde => match self.var("HOME", cwd) {
                    Some(h) => a.text.push_str(&h),
                    None => {
                        a.known = false;
                        a.text.push('~');
                    }
                },
                Part::Var { name, raw } => match self.var(name, cwd) {
                    Some(v) => a.text.push_str(&v),
                    None => {
                        a.known = false;
                        a.text.push_str(raw);
                    }
                },
                Part::Unknown(raw) => {
                    a.known = false;
                    a.text.push_str(raw);
                    // `$(( $(cmd) ))`: the substitution inside arithmetic runs.
                    if raw.starts_with("$((") {
                        for inner in substitutions(raw) {
                            self.sub_script(&inner, cwd, depth + 1);
                        }
                    }
                }
                // `$(cat <<'EOF' … EOF)`: the here-doc's text, known.
                Part::Subst { script, .. } if heredoc_cat(script, hd).is_some() => {
                    let body = heredoc_cat(script, hd).unwrap_or_default();
                    a.text.push_str(body.trim_end_matches('\n'));
                }
                Part::Subst { script, raw } | Part::ProcSubst { script, raw } => {
                    a.known = false;
                    a.text.push_str(raw);
                    let before = self.cmds.len();
                    let mut inner = cwd.clone();
                    self.script(script, hd, &mut inner, depth + 1);
                    if self.cmds[before.min(self.cmds.len())..]
                        .iter()
                        .any(is_downloader)
                    {
                        a.download = true;
                    }
                }
            }
        }
        a
    }

    fn redirects(
        &mut self,
        rs: &[Redirect],
        hd: &[HereDoc],
        cwd: &Cwd,
        depth: usize,
    ) -> Vec<Redir> {
        rs.iter()
            .map(|r| {
                let target = if r.op == RedirOp::HereDoc {
                    Arg::lit("")
                } else {
                    self.expand(&r.target, hd, cwd, depth)
                };
                Redir {
                    fd: r.fd,
                    op: r.op,
                    target,
                }
            })
            .collect()
    }

    fn simple(
        &mut self,
        s: &Simple,
        hd: &[HereDoc],
        cwd: &Cwd,
        depth: usize,
        stdin: &Stdin,
    ) -> (Stdin, Option<Cwd>) {
        let before = self.cmds.len();
        let assigned: Vec<Arg> = s
            .assigns
            .iter()
            .map(|(_, v)| self.expand(v, hd, cwd, depth))
            .collect();
        let argv: Vec<Arg> = s
            .words
            .iter()
            .map(|w| self.expand(w, hd, cwd, depth))
            .collect();
        let redirs = self.redirects(&s.redirects, hd, cwd, depth);

        let mut stdin = stdin.clone();
        let mut script_in = stdin.text.take();
        for (r, ex) in s.redirects.iter().zip(&redirs) {
            let reads = r.fd.is_none() || r.fd == Some(0);
            match r.op {
                RedirOp::HereDoc => {
                    if let Some(h) = r.heredoc.and_then(|i| hd.get(i)) {
                        if let Some(w) = &h.expanded {
                            self.expand(w, hd, cwd, depth);
                        }
                        if reads {
                            script_in = Some(h.body.clone());
                        }
                    }
                }
                RedirOp::HereString if reads => {
                    script_in = Some(ex.target.text.clone());
                    stdin.download |= ex.target.download;
                }
                RedirOp::In if reads => {
                    script_in = None;
                    stdin.download = ex.target.download;
                }
                _ => {}
            }
        }

        if s.words.is_empty() {
            // `NAME=value` on its own sets a shell variable. (With a command,
            // `X=/ cmd $X` expands $X before the assignment applies.)
            for ((name, _), v) in s.assigns.iter().zip(&assigned) {
                self.set_var(name, v);
            }
        }
        match argv.first().map(|a| a.text.as_str()) {
            Some("export" | "declare" | "typeset" | "local" | "readonly") => {
                for a in &argv[1..] {
                    if let Some((n, v)) = a.text.split_once('=') {
                        if is_assignment(&a.text) {
                            let v = Arg {
                                text: v.to_string(),
                                ..a.clone()
                            };
                            self.set_var(n.trim_end_matches('+'), &v);
                        }
                    }
                }
            }
            Some("unset") => {
                for a in &argv[1..] {
                    self.vars.retain(|(n, _)| *n != a.text);
                }
            }
            _ => {}
        }
        let cd = match argv.first().map(|a| a.text.as_str()) {
            Some("cd" | "pushd") => Some(self.cd_target(&argv[1..], cwd)),
            Some("builtin" | "command")
                if matches!(argv.get(1).map(|a| a.text.as_str()), Some("cd" | "pushd")) =>
            {
                Some(self.cd_target(&argv[2..], cwd))
            }
            _ => None,
        };
        let out_words = echo_words(&argv);

        self.run(argv, redirs, cwd.clone(), stdin, script_in, depth, None);

        let download = self.cmds[before.min(self.cmds.len())..]
            .iter()
            .any(is_downloader);
        let (words, text) = match out_words {
            Some((w, t)) => (Some(w), Some(t)),
            None => (None, None),
        };
        (
            Stdin {
                download,
                words,
                text,
            },
            cd,
        )
    }

    fn cd_target(&self, args: &[Arg], cwd: &Cwd) -> Cwd {
        let i = skip_opts(args, "", &[]);
        match args.get(i) {
            None => self.home.map(str::to_string),
            Some(a) if a.text == "-" || !a.known => None,
            Some(a) => resolve(cwd.as_deref(), &a.text),
        }
    }

    fn sub_script(&mut self, text: &str, cwd: &Cwd, depth: usize) {
        match shell::parse(text, depth) {
            Ok(p) => {
                let mut c = cwd.clone();
                self.script(&p.script, &p.heredocs, &mut c, depth);
            }
            Err(e) => self.fail(&format!("nested script: {e}")),
        }
    }

    fn emit(&mut self, mut c: Cmd) {
        if self.cmds.len() >= MAX_CMDS {
            self.overflow = true;
            self.fail("too many commands to analyse");
            return;
        }
        if c.display.is_empty() && !c.program.is_empty() {
            c.display = c.program.clone();
            for a in &c.args {
                c.display.push(' ');
                c.display.push_str(&a.text);
            }
        }
        // A script written by a downloader earlier in the text?
        let script = if is_interpreter(&c.program) {
            interpreter_stdin(&c.program, &c.args)
                .1
                .map(|a| a.text.clone())
        } else if c.path.contains('/') {
            Some(c.path.clone())
        } else {
            None
        };
        if let Some(p) = script.and_then(|s| resolve(c.cwd.as_deref(), &s)) {
            c.runs_download = self.downloaded.contains(&p);
        }
        if is_downloader(&c) {
            for f in download_outputs(&c) {
                if let Some(p) = resolve(c.cwd.as_deref(), &f) {
                    self.downloaded.push(p);
                }
            }
        }
        self.cmds.push(c);
    }

    fn make(
        &self,
        prog: &str,
        argv: &[Arg],
        i: usize,
        redirects: &[Redir],
        cwd: &Cwd,
        stdin: &Stdin,
    ) -> Cmd {
        Cmd {
            program: prog.to_string(),
            path: argv[i].text.clone(),
            args: argv[i + 1..].to_vec(),
            redirects: redirects.to_vec(),
            cwd: cwd.clone(),
            display: String::new(),
            stdin_download: stdin.download,
            runs_download: false,
            code_risk: None,
        }
    }

    /// Strips wrappers from `argv` and emits the command(s) it runs.
    #[allow(clippy::too_many_arguments)]
    fn run(
        &mut self,
        mut argv: Vec<Arg>,
        redirects: Vec<Redir>,
        mut cwd: Cwd,
        mut stdin: Stdin,
        mut script_in: Option<String>,
        depth: usize,
        display: Option<String>,
    ) {
        if depth > MAX_DEPTH {
            self.fail("nesting too deep");
            return;
        }
        let mut i = 0;
        for _ in 0..64 {
            while i > 0 && argv.get(i).is_some_and(|a| is_assignment(&a.text)) {
                i += 1;
            }
            let Some(a0) = argv.get(i) else {
                break;
            };
            let prog = program_name(&a0.text).to_string();
            let rest = &argv[i + 1..];
            let skip = match prog.as_str() {
                "sudo" => {
                    if rest.iter().any(|a| {
                        matches!(
                            a.text.as_str(),
                            "-e" | "--edit" | "-l" | "--list" | "-v" | "-k" | "-K"
                        )
                    }) {
                        None
                    } else {
                        Some(skip_opts(
                            rest,
                            "ugpCrtUDRT",
                            &[
                                "user",
                                "group",
                                "prompt",
                                "close-from",
                                "role",
                                "type",
                                "other-user",
                                "chdir",
                                "chroot",
                                "command-timeout",
                                "host",
                            ],
                        ))
                    }
                }
                "doas" => Some(skip_opts(rest, "uC", &[])),
                "pkexec" => Some(skip_opts(rest, "", &["user"])),
                "nice" => Some(skip_opts(rest, "n", &["adjustment"])),
                "nohup" | "setsid" | "builtin" | "unbuffer" | "caffeinate" | "busybox" => {
                    Some(skip_opts(rest, "", &[]))
                }
                "exec" => Some(skip_opts(rest, "a", &[])),
                "command" => {
                    let n = skip_opts(rest, "", &[]);
                    if rest[..n].iter().any(|a| {
                        a.text.starts_with('-') && (a.text.contains('v') || a.text.contains('V'))
                    }) {
                        return;
                    }
                    Some(n)
                }
                "time" => Some(skip_opts(rest, "fo", &["format", "output"])),
                "timeout" => Some(skip_opts(rest, "sk", &["signal", "kill-after"]) + 1),
                "stdbuf" => Some(skip_opts(rest, "oei", &["input", "output", "error"])),
                "ionice" => {
                    let n = skip_opts(rest, "cnpPu", &["class", "classdata", "pid", "pgid", "uid"]);
                    if rest[..n].iter().any(|a| {
                        matches!(
                            a.text.as_str(),
                            "-p" | "-P" | "-u" | "--pid" | "--pgid" | "--uid"
                        )
                    }) {
                        return;
                    }
                    Some(n)
                }
                "chrt" => {
                    let n = skip_opts(
                        rest,
                        "TPD",
                        &["sched-runtime", "sched-period", "sched-deadline"],
                    );
                    if rest[..n]
                        .iter()
                        .any(|a| a.text == "-p" || a.text == "--pid")
                    {
                        return;
                    }
                    Some(n + 1)
                }
                "taskset" => {
                    let n = skip_opts(rest, "", &[]);
                    if rest[..n]
                        .iter()
                        .any(|a| a.text.starts_with('-') && a.text.contains('p'))
                    {
                        return;
                    }
                    Some(n + 1)
                }
                _ => None,
            };
            if let Some(n) = skip {
                i += 1 + n;
                continue;
            }

            match prog.as_str() {
                "env" => {
                    let mut j = 0;
                    let mut split: Option<(usize, String)> = None;
                    while let Some(a) = rest.get(j) {
                        let t = a.text.as_str();
                        match t {
                            "--" => {
                                j += 1;
                                break;
                            }
                            "-u" | "--unset" | "-P" => j += 2,
                            "-C" | "--chdir" => {
                                if let Some(d) = rest.get(j + 1) {
                                    cwd = if d.known {
                                        resolve(cwd.as_deref(), &d.text)
                                    } else {
                                        None
                                    };
                                }
                                j += 2;
                            }
                            "-S" | "--split-string" => {
                                if let Some(s) = rest.get(j + 1) {
                                    split = Some((j + 2, s.text.clone()));
                                }
                                break;
                            }
                            _ if t.starts_with("--split-string=") => {
                                split = Some((j + 1, t["--split-string=".len()..].to_string()));
                                break;
                            }
                            _ if t.starts_with("-S") && t.len() > 2 => {
                                split = Some((j + 1, t[2..].to_string()));
                                break;
                            }
                            _ if t.starts_with("--chdir=") => {
                                cwd = resolve(cwd.as_deref(), &t["--chdir=".len()..]);
                                j += 1;
                            }
                            _ if t.starts_with('-') || is_assignment(t) => j += 1,
                            _ => break,
                        }
                    }
                    if let Some((k, s)) = split {
                        // `env -S 'A=1 cmd'`: env again, so assignments are skipped.
                        let mut nv: Vec<Arg> = vec![Arg::lit("env")];
                        nv.extend(s.split_whitespace().map(Arg::lit));
                        nv.extend(rest.get(k..).unwrap_or(&[]).iter().cloned());
                        argv = nv;
                        i = 0;
                    } else {
                        i += 1 + j;
                    }
                    continue;
                }
                "xargs" => {
                    let (cmd_at, repl) = xargs_opts(rest);
                    let mut cmd: Vec<Arg> = rest[cmd_at.min(rest.len())..].to_vec();
                    if cmd.is_empty() {
                        cmd.push(Arg::lit("echo"));
                    }
                    // With a replace string an item is a whole line.
                    let items: Vec<Arg> = match stdin.words.take() {
                        Some(ws) if repl.is_some() => ws
                            .iter()
                            .flat_map(|w| w.lines())
                            .map(|l| Arg::lit(l.trim()))
                            .collect(),
                        Some(ws) => ws
                            .iter()
                            .flat_map(|w| w.split_whitespace())
                            .map(Arg::lit)
                            .collect(),
                        None => vec![Arg::unknown("{xargs-input}")],
                    };
                    if let Some(r) = repl {
                        for it in items.iter().take(64) {
                            let nv = substitute(&cmd, &r, it);
                            self.run(
                                nv,
                                redirects.clone(),
                                cwd.clone(),
                                Stdin::default(),
                                None,
                                depth + 1,
                                None,
                            );
                        }
                        return;
                    }
                    cmd.extend(items);
                    argv = cmd;
                    i = 0;
                    stdin = Stdin::default();
                    script_in = None;
                    continue;
                }
                // `parallel CMD {} ::: ITEMS`: the command once per item.
                "parallel" => {
                    let sep = rest
                        .iter()
                        .position(|a| a.text == ":::" || a.text == "::::");
                    let n = skip_opts(
                        &rest[..sep.unwrap_or(rest.len())],
                        "jSsdaE",
                        &[
                            "jobs",
                            "sshlogin",
                            "delimiter",
                            "arg-file",
                            "results",
                            "joblog",
                            "tmpdir",
                            "workdir",
                        ],
                    );
                    let cmd: Vec<Arg> = rest[n..sep.unwrap_or(rest.len())].to_vec();
                    let items: Vec<Arg> = match sep {
                        Some(k) if rest[k].text == ":::" => rest[k + 1..].to_vec(),
                        // An item per input line.
                        _ => match stdin.words.take() {
                            Some(ws) => ws
                                .iter()
                                .flat_map(|w| w.lines())
                                .map(|l| Arg::lit(l.trim()))
                                .collect(),
                            None => vec![Arg::unknown("{parallel-input}")],
                        },
                    };
                    if cmd.is_empty() {
                        // No command: each item is one.
                        for it in items.iter().take(64) {
                            if it.known {
                                self.sub_script(&it.text, &cwd, depth + 1);
                            }
                        }
                        return;
                    }
                    // GNU parallel runs its command through a shell:
                    // `parallel 'rm -rf {}' ::: ~` is one word with spaces.
                    if cmd.len() == 1 && cmd[0].known && cmd[0].text.contains(' ') {
                        for it in items.iter().take(64) {
                            if it.known {
                                let text = if cmd[0].text.contains("{}") {
                                    cmd[0].text.replace("{}", &it.text)
                                } else {
                                    format!("{} {}", cmd[0].text, it.text)
                                };
                                self.sub_script(&text, &cwd, depth + 1);
                            }
                        }
                        return;
                    }
                    let has_slot = cmd.iter().any(|a| a.text.contains("{}"));
                    for it in items.iter().take(64) {
                        let mut nv = substitute(&cmd, "{}", it);
                        if !has_slot {
                            nv.push(it.clone());
                        }
                        self.run(
                            nv,
                            redirects.clone(),
                            cwd.clone(),
                            Stdin::default(),
                            None,
                            depth + 1,
                            None,
                        );
                    }
                    return;
                }
                "watch" => {
                    let n = skip_opts(rest, "n", &["interval"]);
                    let exec = rest[..n].iter().any(|a| {
                        a.text == "-x"
                            || a.text == "--exec"
                            || (a.text.starts_with('-')
                                && !a.text.starts_with("--")
                                && a.text.contains('x'))
                    });
                    if exec {
                        i += 1 + n;
                        continue;
                    }
                    let text = join(&rest[n..]);
                    self.sub_script(&text, &cwd, depth + 1);
                    return;
                }
                "flock" => {
                    let mut j = 0;
                    let mut seen_file = false;
                    while let Some(a) = rest.get(j) {
                        let t = a.text.as_str();
                        if t == "-c" || t == "--command" {
                            if let Some(s) = rest.get(j + 1) {
                                let s = s.text.clone();
                                self.sub_script(&s, &cwd, depth + 1);
                            }
                            return;
                        }
                        if matches!(
                            t,
                            "-w" | "--wait" | "--timeout" | "-E" | "--conflict-exit-code"
                        ) {
                            j += 2;
                        } else if t.starts_with('-') {
                            j += 1;
                        } else if !seen_file {
                            seen_file = true;
                            j += 1;
                        } else {
                            break;
                        }
                    }
                    i += 1 + j;
                    continue;
                }
                _ => {}
            }

            if let Some(lang) = crate::interp::lang(&prog) {
                let words: Vec<String> = argv[i + 1..].iter().map(|a| a.text.clone()).collect();
                let code = match crate::interp::source(&prog, lang, &words) {
                    crate::interp::Source::Inline(c) => Some(c),
                    crate::interp::Source::Stdin => script_in.clone(),
                    crate::interp::Source::Other => None,
                };
                if let Some(code) = code {
                    let found = crate::interp::scan(lang, &code);
                    let mut c = self.make(&prog, &argv, i, &redirects, &cwd, &stdin);
                    c.code_risk = found.unclear;
                    self.emit(c);
                    for sh in &found.shell {
                        self.sub_script(sh, &cwd, depth + 1);
                    }
                    for p in &found.deletes {
                        self.sub_script(&crate::interp::rm_command(p), &cwd, depth + 1);
                    }
                    return;
                }
            }
            if is_shell(&prog) {
                let c = self.make(&prog, &argv, i, &redirects, &cwd, &stdin);
                let inv = shell_invocation(&argv[i + 1..]);
                let command = inv.command.map(|a| a.text.clone());
                self.emit(c);
                if let Some(t) = command {
                    self.sub_script(&t, &cwd, depth + 1);
                } else if inv.stdin {
                    if let Some(t) = script_in {
                        self.sub_script(&t, &cwd, depth + 1);
                    }
                }
                return;
            }
            match prog.as_str() {
                "eval" => {
                    let text = join(&argv[i + 1..]);
                    let c = self.make(&prog, &argv, i, &redirects, &cwd, &stdin);
                    self.emit(c);
                    self.sub_script(&text, &cwd, depth + 1);
                    return;
                }
                "su" => {
                    let c = self.make(&prog, &argv, i, &redirects, &cwd, &stdin);
                    self.emit(c);
                    let rest = &argv[i + 1..];
                    let mut cmd = None;
                    for (k, a) in rest.iter().enumerate() {
                        if a.text == "-c" || a.text == "--command" {
                            cmd = rest.get(k + 1).map(|a| a.text.clone());
                        } else if let Some(s) = a.text.strip_prefix("--command=") {
                            cmd = Some(s.to_string());
                        }
                    }
                    if let Some(t) = cmd {
                        self.sub_script(&t, &cwd, depth + 1);
                    }
                    return;
                }
                "ssh" => {
                    let c = self.make(&prog, &argv, i, &redirects, &cwd, &stdin);
                    self.emit(c);
                    let rest = &argv[i + 1..];
                    let n = skip_opts(rest, "bcDEeFIiJLlmOopQRSWwB", &[]);
                    // The remote side has its own cwd; absolute paths and
                    // `~` still mean what they say.
                    let remote = if n + 1 < rest.len() {
                        Some(join(&rest[n + 1..]))
                    } else {
                        script_in
                    };
                    if let Some(t) = remote {
                        self.sub_script(&t, &None, depth + 1);
                    }
                    return;
                }
                "find" => {
                    let c = self.make(&prog, &argv, i, &redirects, &cwd, &stdin);
                    let disp = {
                        let mut c2 = c.clone();
                        c2.display.clear();
                        c2.program.clone() + " " + &join(&c2.args)
                    };
                    self.emit(c);
                    self.find(&argv[i + 1..], &cwd, depth, disp.trim_end());
                    return;
                }
                _ => {}
            }
            let mut c = self.make(&prog, &argv, i, &redirects, &cwd, &stdin);
            if let Some(d) = display {
                c.display = d;
            }
            self.emit(c);
            return;
        }
        // Nothing left to run: a bare redirection (`> /dev/sda`) or a
        // wrapper without a command. Redirections still happen.
        if !redirects.is_empty() {
            self.emit(Cmd {
                redirects,
                cwd,
                ..Cmd::default()
            });
        }
    }

    /// `find ROOTS EXPR`: `-delete` and `-exec CMD {}` act on everything
    /// under ROOTS unless a test narrows the selection.
    fn find(&mut self, args: &[Arg], cwd: &Cwd, depth: usize, display: &str) {
        let mut j = 0;
        while let Some(a) = args.get(j) {
            match a.text.as_str() {
                "-H" | "-L" | "-P" => j += 1,
                "-D" => j += 2,
                t if t.starts_with("-O") => j += 1,
                _ => break,
            }
        }
        let mut roots = Vec::new();
        while let Some(a) = args.get(j) {
            if a.text.starts_with('-') || a.text == "(" || a.text == "!" {
                break;
            }
            roots.push(a.clone());
            j += 1;
        }
        if roots.is_empty() {
            roots.push(Arg::lit("."));
        }
        let mut narrowing = false;
        let mut delete = false;
        let mut execs: Vec<Vec<Arg>> = Vec::new();
        while let Some(a) = args.get(j) {
            let t = a.text.as_str();
            j += 1;
            match t {
                "-delete" => delete = true,
                "-exec" | "-execdir" | "-ok" | "-okdir" => {
                    let mut cmd = Vec::new();
                    while let Some(b) = args.get(j) {
                        j += 1;
                        if b.text == ";"
                            || (b.text == "+" && cmd.last().is_some_and(|l: &Arg| l.text == "{}"))
                        {
                            break;
                        }
                        cmd.push(b.clone());
                    }
                    execs.push(cmd);
                }
                "-type" | "-xtype" => {
                    if !matches!(args.get(j).map(|a| a.text.as_str()), Some("f" | "d")) {
                        narrowing = true;
                    }
                    j += 1;
                }
                "-maxdepth" | "-mindepth" | "-fprint" | "-fprint0" | "-fls" | "-printf"
                | "-fprintf" => j += 1,
                "-depth" | "-xdev" | "-mount" | "-print" | "-print0" | "-follow" | "-noleaf"
                | "-ls" | "-d" | "-true" | "(" | ")" | "-a" | "-and" | "-o" | "-or" | ","
                | "-prune" | "-quit" => {}
                _ if t.starts_with('-') || t == "!" || t == "-not" => {
                    // -name, -path, -newer, -mtime, -size, -user, -empty, ...
                    narrowing = true;
                }
                _ => {}
            }
        }
        for root in roots.iter().take(16) {
            let target = if narrowing {
                Arg::unknown("{}")
            } else {
                Arg {
                    text: format!("{}/*", root.text.trim_end_matches('/')),
                    known: root.known,
                    glob: true,
                    download: false,
                }
            };
            if delete {
                self.emit(Cmd {
                    program: "rm".into(),
                    path: "rm".into(),
                    args: vec![Arg::lit("-r"), target.clone()],
                    cwd: cwd.clone(),
                    display: display.to_string(),
                    ..Cmd::default()
                });
            }
            for e in &execs {
                let argv: Vec<Arg> = e
                    .iter()
                    .map(|a| {
                        if a.text == "{}" {
                            target.clone()
                        } else if a.text.contains("{}") {
                            Arg::unknown(&a.text)
                        } else {
                            a.clone()
                        }
                    })
                    .collect();
                self.run(
                    argv,
                    Vec::new(),
                    cwd.clone(),
                    Stdin::default(),
                    None,
                    depth + 1,
                    None,
                );
            }
        }
    }
}

fn join(args: &[Arg]) -> String {
    let mut s = String::new();
    for (k, a) in args.iter().enumerate() {
        if k > 0 {
            s.push(' ');
        }
        s.push_str(&a.text);
    }
    s
}

/// `echo`/`printf` with literal arguments: the words and text they print.
fn echo_words(argv: &[Arg]) -> Option<(Vec<String>, String)> {
    let prog = program_name(&argv.first()?.text);
    let args = &argv[1..];
    if !args.iter().all(|a| a.known) {
        return None;
    }
    match prog {
        "echo" => {
            let n = args
                .iter()
                .take_while(|a| matches!(a.text.as_str(), "-n" | "-e" | "-E" | "-ne" | "-en"))
                .count();
            let words: Vec<String> = args[n..].iter().map(|a| a.text.clone()).collect();
            let text = words.join(" ");
            Some((words, text))
        }
        "printf" => {
            let fmt = args.first()?.text.replace("\\n", "\n");
            if fmt.contains('%') {
                let words: Vec<String> = args[1..].iter().map(|a| a.text.clone()).collect();
                let text = words.join("\n");
                Some((words, text))
            } else {
                Some((vec![fmt.clone()], fmt))
            }
        }
        _ => None,
    }
}

/// `cmd` with `slot` replaced by `item` in every word (`xargs -I R`,
/// `parallel {}`); a word is known only if the item is.
fn substitute(cmd: &[Arg], slot: &str, item: &Arg) -> Vec<Arg> {
    cmd.iter()
        .map(|a| {
            if a.text.contains(slot) {
                Arg {
                    text: a.text.replace(slot, &item.text),
                    known: a.known && item.known,
                    ..a.clone()
                }
            } else {
                a.clone()
            }
        })
        .collect()
}

/// The body of `cat <<EOF` when that is all a substitution runs (a body
/// without expansions, so its text is what cat prints).
fn heredoc_cat(script: &Script, hd: &[HereDoc]) -> Option<String> {
    let [pipeline] = script.items.as_slice() else {
        return None;
    };
    let [Command::Simple(s)] = pipeline.as_slice() else {
        return None;
    };
    let [w] = s.words.as_slice() else {
        return None;
    };
    if w.plain() != Some("cat") || !s.assigns.is_empty() {
        return None;
    }
    let [r] = s.redirects.as_slice() else {
        return None;
    };
    let h = hd.get(r.heredoc?)?;
    (h.expanded.is_none()).then(|| h.body.clone())
}

/// The `$( )` and backtick commands inside an arithmetic expansion's text.
fn substitutions(raw: &str) -> Vec<String> {
    let b = raw.as_bytes();
    let mut out = Vec::new();
    let mut i = 3;
    while i < b.len() && out.len() < 16 {
        if b[i] == b'$' && b.get(i + 1) == Some(&b'(') && b.get(i + 2) != Some(&b'(') {
            let start = i + 2;
            let mut depth = 1;
            let mut j = start;
            while j < b.len() && depth > 0 {
                match b[j] {
                    b'(' => depth += 1,
                    b')' => depth -= 1,
                    _ => {}
                }
                j += 1;
            }
            out.push(
                String::from_utf8_lossy(&b[start..j.saturating_sub(1).max(start)]).into_owned(),
            );
            i = j;
        } else if b[i] == b'`' {
            let end = b[i + 1..]
                .iter()
                .position(|&c| c == b'`')
                .map_or(b.len(), |k| i + 1 + k);
            out.push(String::from_utf8_lossy(&b[i + 1..end]).into_owned());
            i = end + 1;
        } else {
            i += 1;
        }
    }
    out
}

/// Where `xargs`'s command starts, and its replace string (`-I R`).
fn xargs_opts(rest: &[Arg]) -> (usize, Option<String>) {
    let mut j = 0;
    let mut repl = None;
    while let Some(a) = rest.get(j) {
        let t = a.text.as_str();
        match t {
            "--" => return (j + 1, repl),
            "-I" => {
                repl = rest.get(j + 1).map(|a| a.text.clone());
                j += 2;
            }
            "-i" | "--replace" => {
                repl = Some("{}".into());
                j += 1;
            }
            // BSD xargs: `-J R` puts the items where R stands.
            "-J" => {
                repl = rest.get(j + 1).map(|a| a.text.clone());
                j += 2;
            }
            "-n" | "-L" | "-P" | "-s" | "-d" | "-E" | "-a" => j += 2,
            "--arg-file" | "--delimiter" | "--max-args" | "--max-procs" | "--max-chars"
            | "--process-slot-var" => j += 2,
            _ if t.starts_with("--replace=") => {
                let r = &t["--replace=".len()..];
                repl = Some(if r.is_empty() { "{}" } else { r }.to_string());
                j += 1;
            }
            _ if t.starts_with("-I") => {
                repl = Some(t[2..].to_string());
                j += 1;
            }
            _ if t.starts_with("-i") => {
                repl = Some(t[2..].to_string());
                j += 1;
            }
            _ if t.starts_with('-') && t.len() > 1 => j += 1,
            _ => break,
        }
    }
    (j, repl)
}

/// Files a downloader writes (`curl -o F`, `curl -O URL`, `wget -O F`, `> F`).
fn download_outputs(c: &Cmd) -> Vec<String> {
    let mut out = Vec::new();
    let a = &c.args;
    let url_base = || {
        a.iter()
            .rev()
            .find(|x| x.text.contains("://"))
            .and_then(|x| x.text.split(['?', '#']).next())
            .and_then(|u| u.rsplit('/').next())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    for (k, x) in a.iter().enumerate() {
        let t = x.text.as_str();
        match (c.program.as_str(), t) {
            ("curl", "-o" | "--output") | ("wget", "-O" | "--output-document") => {
                if let Some(f) = a.get(k + 1) {
                    if f.known && f.text != "-" {
                        out.push(f.text.clone());
                    }
                }
            }
            ("curl", "-O" | "--remote-name") => out.extend(url_base()),
            ("wget", _) if t.starts_with("--output-document=") => {
                out.push(t["--output-document=".len()..].to_string())
            }
            ("curl", _) if t.starts_with("-o") && t.len() > 2 => out.push(t[2..].to_string()),
            // Clusters such as `-fsSLo FILE` / `-fsSLO`.
            ("curl", _) if t.len() > 2 && t.starts_with('-') && !t.starts_with("--") => {
                if t.ends_with('o') {
                    if let Some(f) = a.get(k + 1).filter(|f| f.known && f.text != "-") {
                        out.push(f.text.clone());
                    }
                } else if t.contains('O') {
                    out.extend(url_base());
                }
            }
            ("wget", _) if t.starts_with("-O") && t.len() > 2 && &t[2..] != "-" => {
                out.push(t[2..].to_string())
            }
            _ => {}
        }
    }
    if c.program == "wget"
        && !a
            .iter()
            .any(|x| x.text.starts_with("-O") || x.text.starts_with("--output-document"))
    {
        out.extend(url_base());
    }
    for r in &c.redirects {
        if r.writes() && r.target.known && (r.fd.is_none() || r.fd == Some(1)) {
            out.push(r.target.text.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmds(src: &str) -> Vec<String> {
        analyse(src, Some("/home/u"), "/home/u/p")
            .unwrap()
            .cmds
            .into_iter()
            .map(|c| c.display)
            .collect()
    }

    #[test]
    fn wrappers_are_stripped() {
        assert_eq!(cmds("sudo -u root -E rm -rf x"), vec!["rm -rf x"]);
        assert_eq!(cmds("env -i FOO=1 /bin/rm x"), vec!["rm x"]);
        assert_eq!(
            cmds("nice -n 5 nohup timeout -s KILL 5 stdbuf -oL command rm y"),
            vec!["rm y"]
        );
        assert_eq!(cmds("env -S 'rm -rf z'"), vec!["rm -rf z"]);
        assert_eq!(cmds("./rm x"), vec!["./rm x"]);
        assert_eq!(cmds("\\rm ~"), vec!["rm /home/u"]);
        assert_eq!(cmds("command -v rm"), Vec::<String>::new());
        assert_eq!(cmds("flock /tmp/l -c 'rm a'"), vec!["rm a"]);
        assert_eq!(cmds("watch -n 1 'rm b'"), vec!["rm b"]);
    }

    #[test]
    fn nested_scripts() {
        assert_eq!(
            cmds("bash -c 'rm -rf $HOME'"),
            vec!["bash -c rm -rf $HOME", "rm -rf /home/u"]
        );
        assert_eq!(cmds("eval \"rm x\""), vec!["eval rm x", "rm x"]);
        assert_eq!(cmds("sh <<'E'\nrm y\nE"), vec!["sh", "rm y"]);
        assert_eq!(cmds("bash <<< 'rm z'"), vec!["bash", "rm z"]);
        assert_eq!(cmds("echo 'rm w' | sh"), vec!["echo rm w", "sh", "rm w"]);
        assert_eq!(cmds("cat <<E > f\nrm y\nE"), vec!["cat"]);
    }

    #[test]
    fn xargs_and_find() {
        assert_eq!(cmds("echo / | xargs rm -rf"), vec!["echo /", "rm -rf /"]);
        assert_eq!(
            cmds("ls | xargs -0 -n 1 rm"),
            vec!["ls", "rm {xargs-input}"]
        );
        assert_eq!(
            cmds("find / -exec rm -rf {} \\;"),
            vec!["find / -exec rm -rf {} ;", "rm -rf /*"]
        );
        let a = analyse("find . -name x -delete", None, "/p").unwrap();
        assert!(!a.cmds[1].args[1].known);
    }

    #[test]
    fn cd_is_tracked() {
        let a = analyse("cd / && rm -rf *; cd tmp; ls", None, "/p").unwrap();
        assert_eq!(a.cmds[1].cwd.as_deref(), Some("/"));
        assert_eq!(a.cmds[3].cwd.as_deref(), Some("/tmp"));
        let a = analyse("(cd /; ls); ls", None, "/p").unwrap();
        assert_eq!(a.cmds[2].cwd.as_deref(), Some("/p"));
    }

    #[test]
    fn literal_variables_are_tracked() {
        let last = |src: &str| {
            analyse(src, Some("/h"), "/p")
                .unwrap()
                .cmds
                .pop()
                .unwrap()
                .display
        };
        assert_eq!(last("D=/x; rm -rf $D"), "rm -rf /x");
        assert_eq!(last("D=~/y; rm -rf \"${D}\""), "rm -rf /h/y");
        assert_eq!(last("export D=/z && rm $D"), "rm /z");
        assert_eq!(last("D=/x rm $D"), "rm $D");
        assert_eq!(last("D=$(pwd); rm $D"), "rm $D");
        assert_eq!(last("D=/x; unset D; rm $D"), "rm $D");
    }

    #[test]
    fn normalisation() {
        assert_eq!(normalize("//a/./b/../c/"), "/a/c");
        assert_eq!(normalize("/.."), "/");
        assert_eq!(resolve(Some("/a/b"), "../.."), Some("/".into()));
    }
}
