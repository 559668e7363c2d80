//! A POSIX sh / bash parser deep enough for policy decisions.
//!
//! It does not aim to execute anything; it must only see every command that
//! bash would run and the words it would pass. Compound commands
//! (`if`/`while`/`for`/`case`/`{ }`) are flattened: their keywords are dropped
//! and their bodies become ordinary list items, which is conservative for
//! policy checks (a body is analysed as if it always ran).
//!
//! All work is bounded: input length, nesting depth and token count.

use std::mem;

/// Nesting limit shared by `( )`, `$( )`, backticks, `<( )` and re-parsed
/// `bash -c` strings.
pub const MAX_DEPTH: usize = 16;
/// Tokens across one parse (sub-parses included).
pub const MAX_TOKENS: usize = 100_000;
/// Longer shell texts are refused rather than analysed.
pub const MAX_LEN: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

type Result<T> = std::result::Result<T, ParseError>;

fn err<T>(msg: &str) -> Result<T> {
    Err(ParseError(msg.to_string()))
}

/// One piece of a word. Values that depend on the environment are kept
/// symbolic so the analyser can expand them with the cwd current at that
/// point of the script.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    /// `quoted` matters for globbing: `"*"` is a literal star.
    Lit { text: String, quoted: bool },
    /// Leading unquoted `~` followed by `/` or the end of the word.
    Tilde,
    /// `$NAME`, `${NAME}`, `${NAME:?msg}`, `${NAME:-x}`: the variable's value when set.
    Var { name: String, raw: String },
    /// An expansion whose value cannot be known (`$1`, `${x#y}`, `$((..))`, `~user`).
    Unknown(String),
    /// `$( )` or backticks.
    Subst { script: Script, raw: String },
    /// `<( )` / `>( )`.
    ProcSubst { script: Script, raw: String },
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Word {
    pub parts: Vec<Part>,
}

impl Word {
    /// The word's text when it contains no expansion at all.
    pub fn literal(&self) -> Option<String> {
        let mut s = String::new();
        for p in &self.parts {
            match p {
                Part::Lit { text, .. } => s.push_str(text),
                _ => return None,
            }
        }
        Some(s)
    }

    /// A bare unquoted literal (candidate reserved word / assignment).
    pub fn plain(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [Part::Lit {
                text,
                quoted: false,
            }] => Some(text),
            _ => None,
        }
    }

    fn is_quoted(&self) -> bool {
        self.parts.iter().any(|p| match p {
            Part::Lit { quoted, .. } => *quoted,
            _ => false,
        })
    }

    /// Text with expansions shown as written (for here-doc delimiters).
    fn raw_text(&self) -> String {
        let mut s = String::new();
        for p in &self.parts {
            match p {
                Part::Lit { text, .. } => s.push_str(text),
                Part::Tilde => s.push('~'),
                Part::Var { raw, .. } | Part::Unknown(raw) => s.push_str(raw),
                Part::Subst { raw, .. } | Part::ProcSubst { raw, .. } => s.push_str(raw),
            }
        }
        s
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirOp {
    /// `>`
    Out,
    /// `>>`
    Append,
    /// `>|`
    Clobber,
    /// `<`
    In,
    /// `<>`
    InOut,
    /// `<<` / `<<-`
    HereDoc,
    /// `<<<`
    HereString,
    /// `>&`
    DupOut,
    /// `<&`
    DupIn,
    /// `&>`
    OutErr,
    /// `&>>`
    AppendErr,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Redirect {
    pub fd: Option<u32>,
    pub op: RedirOp,
    pub target: Word,
    /// Index into [`Parsed::heredocs`] for `<<` redirections.
    pub heredoc: Option<usize>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct HereDoc {
    pub body: String,
    /// With an unquoted delimiter the body undergoes expansion, so `$( )`
    /// inside it runs: the body parsed as a double-quoted word.
    pub expanded: Option<Word>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Simple {
    pub assigns: Vec<(String, Word)>,
    pub words: Vec<Word>,
    pub redirects: Vec<Redirect>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Simple(Simple),
    Subshell(Script, Vec<Redirect>),
    /// Words that are expanded but not run (`for x in WORDS`, `case WORD`,
    /// `[[ ]]`): only their substitutions matter.
    Words(Vec<Word>),
}

pub type Pipeline = Vec<Command>;

/// Pipelines in execution order; `;`, `&`, `&&`, `||` and newlines are not
/// distinguished because every branch may run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Script {
    pub items: Vec<Pipeline>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    pub script: Script,
    pub heredocs: Vec<HereDoc>,
}

/// Parse a complete shell text. `depth` is the nesting level the text
/// itself sits at (non-zero for re-parsed `bash -c` strings).
pub fn parse(src: &str, depth: usize) -> Result<Parsed> {
    if src.len() > MAX_LEN {
        return err("command longer than 64 KiB");
    }
    if depth > MAX_DEPTH {
        return err("nesting too deep");
    }
    let mut p = Parser::new(src.as_bytes(), depth, 0);
    let script = p.parse_list(Term::Eof)?;
    p.read_heredocs()?;
    Ok(Parsed {
        script,
        heredocs: p.heredocs,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Semi,
    CaseEnd, // ;; ;& ;;&
    Amp,
    AndIf,
    OrIf,
    Pipe,
    PipeAmp,
    LParen,
    RParen,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(Word),
    Op(Op),
    Redir(Option<u32>, RedirOp, bool /* <<- */),
    Newline,
    Eof,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Term {
    Eof,
    Paren,
}

struct Pending {
    id: usize,
    delim: String,
    strip_tabs: bool,
    expand: bool,
}

#[derive(Default)]
struct WordBuilder {
    parts: Vec<Part>,
    buf: Vec<u8>,
    quoted: bool,
    had_quotes: bool,
}

impl WordBuilder {
    fn lit(&mut self, b: u8, quoted: bool) {
        if !self.buf.is_empty() && self.quoted != quoted {
            self.flush();
        }
        self.quoted = quoted;
        self.buf.push(b);
    }

    fn lits(&mut self, bs: &[u8], quoted: bool) {
        for &b in bs {
            self.lit(b, quoted);
        }
    }

    fn part(&mut self, p: Part) {
        self.flush();
        self.parts.push(p);
    }

    fn flush(&mut self) {
        if !self.buf.is_empty() {
            let text = String::from_utf8_lossy(&mem::take(&mut self.buf)).into_owned();
            self.parts.push(Part::Lit {
                text,
                quoted: self.quoted,
            });
        }
    }

    fn finish(mut self) -> Word {
        self.flush();
        if self.parts.is_empty() && self.had_quotes {
            // `""` is an (empty) argument, not nothing.
            self.parts.push(Part::Lit {
                text: String::new(),
                quoted: true,
            });
        }
        Word { parts: self.parts }
    }
}

struct Parser<'s> {
    src: &'s [u8],
    pos: usize,
    depth: usize,
    tokens: usize,
    heredocs: Vec<HereDoc>,
    pending: Vec<Pending>,
    peeked: Option<Tok>,
    case_depth: usize,
    case_pattern: bool,
    /// Open `( )` / `$( )` around the current position.
    parens: usize,
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_name(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// `NAME=value` (or `NAME+=value`) as the leading part of a word.
fn assignment(w: &Word) -> Option<(String, Word)> {
    let Some(Part::Lit {
        text,
        quoted: false,
    }) = w.parts.first()
    else {
        return None;
    };
    let eq = text.find('=')?;
    let name = text[..eq].strip_suffix('+').unwrap_or(&text[..eq]);
    let b = name.as_bytes();
    if b.is_empty() || !is_name_start(b[0]) || !b.iter().all(|&c| is_name(c)) {
        return None;
    }
    let mut value = Word::default();
    let mut rest = &text[eq + 1..];
    // Assignments expand a leading tilde too: `D=~/x`.
    if rest == "~" || rest.starts_with("~/") {
        value.parts.push(Part::Tilde);
        rest = &rest[1..];
    }
    if !rest.is_empty() {
        value.parts.push(Part::Lit {
            text: rest.to_string(),
            quoted: false,
        });
    }
    value.parts.extend(w.parts[1..].iter().cloned());
    Some((name.to_string(), value))
}

impl<'s> Parser<'s> {
    fn new(src: &'s [u8], depth: usize, tokens: usize) -> Self {
        Parser {
            src,
            pos: 0,
            depth,
            tokens,
            heredocs: Vec::new(),
            pending: Vec::new(),
            peeked: None,
            case_depth: 0,
            case_pattern: false,
            parens: 0,
        }
    }

    fn at(&self, off: usize) -> Option<u8> {
        self.src.get(self.pos + off).copied()
    }

    fn peek(&mut self) -> Result<&Tok> {
        if self.peeked.is_none() {
            let t = self.lex()?;
            self.peeked = Some(t);
        }
        Ok(self.peeked.as_ref().expect("just filled"))
    }

    fn next(&mut self) -> Result<Tok> {
        match self.peeked.take() {
            Some(t) => Ok(t),
            None => self.lex(),
        }
    }

    fn bump_tokens(&mut self) -> Result<()> {
        self.tokens += 1;
        if self.tokens > MAX_TOKENS {
            return err("too many tokens");
        }
        Ok(())
    }

    // ---------------------------------------------------------------- grammar

    fn parse_list(&mut self, term: Term) -> Result<Script> {
        let mut items = Vec::new();
        loop {
            match self.peek()? {
                Tok::Eof => {
                    if term == Term::Paren {
                        return err("unterminated ( or $(");
                    }
                    break;
                }
                Tok::Op(Op::RParen) => {
                    self.next()?;
                    if term == Term::Paren {
                        break;
                    }
                    // A stray `)` at top level: bash would refuse the line;
                    // analysing the rest is the safer reading.
                }
                Tok::Op(Op::CaseEnd) => {
                    self.next()?;
                    if self.case_depth > 0 {
                        self.case_pattern = true;
                    }
                }
                Tok::Newline
                | Tok::Op(Op::Semi | Op::Amp | Op::AndIf | Op::OrIf | Op::Pipe | Op::PipeAmp) => {
                    self.next()?;
                }
                _ => {
                    let p = self.parse_pipeline()?;
                    if !p.is_empty() {
                        items.push(p);
                    }
                }
            }
        }
        Ok(Script { items })
    }

    fn parse_pipeline(&mut self) -> Result<Pipeline> {
        let mut cmds = Vec::new();
        loop {
            if let Some(c) = self.parse_command()? {
                cmds.push(c);
            }
            match self.peek()? {
                Tok::Op(Op::Pipe | Op::PipeAmp) => {
                    self.next()?;
                    while matches!(self.peek()?, Tok::Newline) {
                        self.next()?;
                    }
                }
                _ => break,
            }
        }
        Ok(cmds)
    }

    fn skip_newlines(&mut self) -> Result<()> {
        while matches!(self.peek()?, Tok::Newline) {
            self.next()?;
        }
        Ok(())
    }

    fn parse_command(&mut self) -> Result<Option<Command>> {
        if self.case_pattern {
            self.skip_newlines()?;
            if let Tok::Word(w) = self.peek()? {
                if w.plain() == Some("esac") {
                    self.next()?;
                    self.case_pattern = false;
                    self.case_depth = self.case_depth.saturating_sub(1);
                    return Ok(None);
                }
            }
            if matches!(self.peek()?, Tok::Op(Op::LParen)) {
                self.next()?;
            }
            loop {
                match self.next()? {
                    Tok::Op(Op::RParen) => break,
                    Tok::Eof => return err("unterminated case pattern"),
                    _ => {}
                }
            }
            self.case_pattern = false;
        }

        if matches!(self.peek()?, Tok::Op(Op::LParen)) {
            self.next()?;
            if self.at(0) == Some(b'(') {
                // `(( arithmetic ))`
                self.skip_balanced_parens(1)?;
                return Ok(None);
            }
            let body = self.nested_list()?;
            let redirects = self.parse_redirects()?;
            return Ok(Some(Command::Subshell(body, redirects)));
        }

        let mut s = Simple::default();
        loop {
            match self.peek()? {
                Tok::Word(w) => {
                    if s.words.is_empty() && s.assigns.is_empty() {
                        if let Some(kw) = w.plain() {
                            match kw {
                                "if" | "then" | "else" | "elif" | "do" | "while" | "until"
                                | "!" | "{" | "}" | "fi" | "done" => {
                                    self.next()?;
                                    continue;
                                }
                                "esac" => {
                                    self.next()?;
                                    self.case_depth = self.case_depth.saturating_sub(1);
                                    self.case_pattern = false;
                                    continue;
                                }
                                "case" => return self.parse_case().map(Some),
                                "for" | "select" => return self.parse_for().map(Some),
                                "function" => {
                                    self.next()?;
                                    if let Tok::Word(_) = self.peek()? {
                                        self.next()?;
                                    }
                                    self.skip_fn_parens()?;
                                    return Ok(None);
                                }
                                "[[" => return self.parse_dbracket().map(Some),
                                _ => {}
                            }
                        }
                    }
                    let Tok::Word(w) = self.next()? else {
                        unreachable!()
                    };
                    if s.words.is_empty() {
                        if let Some(a) = assignment(&w) {
                            s.assigns.push(a);
                            continue;
                        }
                    }
                    s.words.push(w);
                    if s.words.len() == 1 && s.assigns.is_empty() && self.skip_fn_parens()? {
                        // `name() body`: the body follows as the next command.
                        return Ok(None);
                    }
                }
                Tok::Redir(..) => {
                    let r = self.parse_redirect()?;
                    s.redirects.push(r);
                }
                _ => break,
            }
        }
        if s.words.is_empty() && s.assigns.is_empty() && s.redirects.is_empty() {
            return Ok(None);
        }
        Ok(Some(Command::Simple(s)))
    }

    /// Consumes `()` of a function definition if present.
    fn skip_fn_parens(&mut self) -> Result<bool> {
        if !matches!(self.peek()?, Tok::Op(Op::LParen)) {
            return Ok(false);
        }
        // Only `()` (possibly spaced) is a function definition; look at the
        // raw text so a following subshell is not swallowed.
        let mut j = self.pos;
        while matches!(self.src.get(j), Some(b' ' | b'\t')) {
            j += 1;
        }
        if self.src.get(j) != Some(&b')') {
            return Ok(false);
        }
        self.next()?;
        self.next()?;
        Ok(true)
    }

    fn parse_redirects(&mut self) -> Result<Vec<Redirect>> {
        let mut v = Vec::new();
        while matches!(self.peek()?, Tok::Redir(..)) {
            v.push(self.parse_redirect()?);
        }
        Ok(v)
    }

    fn parse_redirect(&mut self) -> Result<Redirect> {
        let Tok::Redir(fd, op, strip_tabs) = self.next()? else {
            unreachable!()
        };
        let target = match self.next()? {
            Tok::Word(w) => w,
            _ => return err("redirection without a target"),
        };
        let mut heredoc = None;
        if op == RedirOp::HereDoc {
            let id = self.heredocs.len();
            self.heredocs.push(HereDoc::default());
            self.pending.push(Pending {
                id,
                delim: target.raw_text(),
                strip_tabs,
                expand: !target.is_quoted(),
            });
            heredoc = Some(id);
        }
        Ok(Redirect {
            fd,
            op,
            target,
            heredoc,
        })
    }

    fn parse_case(&mut self) -> Result<Command> {
        self.next()?; // case
        let mut words = Vec::new();
        if let Tok::Word(_) = self.peek()? {
            if let Tok::Word(w) = self.next()? {
                words.push(w);
            }
        }
        self.skip_newlines()?;
        if let Tok::Word(w) = self.peek()? {
            if w.plain() == Some("in") {
                self.next()?;
            }
        }
        self.case_depth += 1;
        self.case_pattern = true;
        Ok(Command::Words(words))
    }

    fn parse_for(&mut self) -> Result<Command> {
        self.next()?; // for / select
        if matches!(self.peek()?, Tok::Op(Op::LParen)) {
            self.next()?;
            self.skip_balanced_parens(1)?;
            return Ok(Command::Words(Vec::new()));
        }
        if let Tok::Word(_) = self.peek()? {
            self.next()?;
        }
        let mut words = Vec::new();
        if let Tok::Word(w) = self.peek()? {
            if w.plain() == Some("in") {
                self.next()?;
                while let Tok::Word(_) = self.peek()? {
                    if let Tok::Word(w) = self.next()? {
                        words.push(w);
                    }
                }
            }
        }
        Ok(Command::Words(words))
    }

    fn parse_dbracket(&mut self) -> Result<Command> {
        self.next()?; // [[
        let mut words = Vec::new();
        loop {
            match self.peek()? {
                Tok::Word(w) if w.plain() == Some("]]") => {
                    self.next()?;
                    break;
                }
                Tok::Eof | Tok::Newline | Tok::Op(Op::Semi) => break,
                _ => {
                    if let Tok::Word(w) = self.next()? {
                        words.push(w);
                    }
                }
            }
        }
        Ok(Command::Words(words))
    }

    /// Parses a nested list up to its closing `)` (subshell, `$( )`, `<( )`).
    fn nested_list(&mut self) -> Result<Script> {
        if self.depth >= MAX_DEPTH {
            return err("nesting too deep");
        }
        debug_assert!(self.peeked.is_none());
        self.depth += 1;
        self.parens += 1;
        let saved = (self.case_depth, self.case_pattern);
        self.case_depth = 0;
        self.case_pattern = false;
        let r = self.parse_list(Term::Paren);
        (self.case_depth, self.case_pattern) = saved;
        self.depth -= 1;
        self.parens -= 1;
        r
    }

    /// Parses `src` (backtick contents, here-doc bodies) with a fresh lexer
    /// that shares the budget and here-doc table.
    fn sub_parse<T>(
        &mut self,
        src: &[u8],
        f: impl FnOnce(&mut Parser<'_>) -> Result<T>,
    ) -> Result<T> {
        if self.depth >= MAX_DEPTH {
            return err("nesting too deep");
        }
        let mut p = Parser::new(src, self.depth + 1, self.tokens);
        p.heredocs = mem::take(&mut self.heredocs);
        let r = f(&mut p).and_then(|v| p.read_heredocs().map(|_| v));
        self.tokens = p.tokens;
        self.heredocs = p.heredocs;
        r
    }

    // ------------------------------------------------------------------ lexer

    fn lex(&mut self) -> Result<Tok> {
        self.bump_tokens()?;
        loop {
            let Some(c) = self.at(0) else {
                return Ok(Tok::Eof);
            };
            match c {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\\' if self.at(1) == Some(b'\n') => self.pos += 2,
                b'#' => {
                    while let Some(c) = self.at(0) {
                        if c == b'\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                b'\n' => {
                    self.pos += 1;
                    self.read_heredocs()?;
                    return Ok(Tok::Newline);
                }
                _ => break,
            }
        }
        let c = self.src[self.pos];
        let n = self.at(1);
        let op = |p: &mut Self, len: usize, op: Op| {
            p.pos += len;
            Ok(Tok::Op(op))
        };
        match c {
            b';' => match (n, self.at(2)) {
                (Some(b';'), Some(b'&')) => op(self, 3, Op::CaseEnd),
                (Some(b';'), _) | (Some(b'&'), _) => op(self, 2, Op::CaseEnd),
                _ => op(self, 1, Op::Semi),
            },
            b'&' => match (n, self.at(2)) {
                (Some(b'&'), _) => op(self, 2, Op::AndIf),
                (Some(b'>'), Some(b'>')) => {
                    self.pos += 3;
                    Ok(Tok::Redir(None, RedirOp::AppendErr, false))
                }
                (Some(b'>'), _) => {
                    self.pos += 2;
                    Ok(Tok::Redir(None, RedirOp::OutErr, false))
                }
                _ => op(self, 1, Op::Amp),
            },
            b'|' => match n {
                Some(b'|') => op(self, 2, Op::OrIf),
                Some(b'&') => op(self, 2, Op::PipeAmp),
                _ => op(self, 1, Op::Pipe),
            },
            b'(' => op(self, 1, Op::LParen),
            b')' => op(self, 1, Op::RParen),
            b'<' | b'>' if n == Some(b'(') => Ok(Tok::Word(self.read_word()?)),
            b'<' | b'>' => Ok(self.redir(None)),
            b'0'..=b'9' => {
                let mut j = self.pos;
                while self.src.get(j).is_some_and(|b| b.is_ascii_digit()) {
                    j += 1;
                }
                let after = self.src.get(j).copied();
                if matches!(after, Some(b'<' | b'>')) && self.src.get(j + 1) != Some(&b'(') {
                    let fd = std::str::from_utf8(&self.src[self.pos..j])
                        .ok()
                        .and_then(|s| s.parse().ok());
                    self.pos = j;
                    Ok(self.redir(fd))
                } else {
                    Ok(Tok::Word(self.read_word()?))
                }
            }
            _ => Ok(Tok::Word(self.read_word()?)),
        }
    }

    fn redir(&mut self, fd: Option<u32>) -> Tok {
        let rest = &self.src[self.pos..];
        let (len, op, strip) = if rest.starts_with(b"<<<") {
            (3, RedirOp::HereString, false)
        } else if rest.starts_with(b"<<-") {
            (3, RedirOp::HereDoc, true)
        } else if rest.starts_with(b"<<") {
            (2, RedirOp::HereDoc, false)
        } else if rest.starts_with(b"<>") {
            (2, RedirOp::InOut, false)
        } else if rest.starts_with(b"<&") {
            (2, RedirOp::DupIn, false)
        } else if rest.starts_with(b"<") {
            (1, RedirOp::In, false)
        } else if rest.starts_with(b">>") {
            (2, RedirOp::Append, false)
        } else if rest.starts_with(b">|") {
            (2, RedirOp::Clobber, false)
        } else if rest.starts_with(b">&") {
            (2, RedirOp::DupOut, false)
        } else {
            (1, RedirOp::Out, false)
        };
        self.pos += len;
        Tok::Redir(fd, op, strip)
    }

    fn read_heredocs(&mut self) -> Result<()> {
        for p in mem::take(&mut self.pending) {
            let mut body = String::new();
            while self.pos < self.src.len() {
                let end = self.src[self.pos..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(self.src.len(), |i| self.pos + i);
                let line_start = self.pos;
                let mut line = &self.src[self.pos..end];
                self.pos = (end + 1).min(self.src.len());
                let mut stripped = 0;
                if p.strip_tabs {
                    while let [b'\t', rest @ ..] = line {
                        line = rest;
                        stripped += 1;
                    }
                }
                if line == p.delim.as_bytes() {
                    break;
                }
                // Inside `$( )` bash also ends the body at `DELIM)`, the
                // `)` closing the substitution: `$(cat <<EOF ... EOF)`.
                if self.parens > 0
                    && line.len() > p.delim.len()
                    && line.starts_with(p.delim.as_bytes())
                    && line[p.delim.len()] == b')'
                {
                    self.pos = line_start + stripped + p.delim.len();
                    break;
                }
                body.push_str(&String::from_utf8_lossy(line));
                body.push('\n');
            }
            let expanded = if p.expand && body.bytes().any(|b| b == b'$' || b == b'`') {
                let b = body.clone();
                Some(self.sub_parse(b.as_bytes(), |sp| {
                    let mut w = WordBuilder::default();
                    sp.dquote(&mut w, None)?;
                    Ok(w.finish())
                })?)
            } else {
                None
            };
            if let Some(h) = self.heredocs.get_mut(p.id) {
                h.body = body;
                h.expanded = expanded;
            }
        }
        Ok(())
    }

    /// Skips to the `)` closing `open` already-consumed parens (arithmetic).
    fn skip_balanced_parens(&mut self, mut open: usize) -> Result<String> {
        let start = self.pos;
        while open > 0 {
            let Some(c) = self.at(0) else {
                return err("unterminated ((");
            };
            match c {
                b'(' => open += 1,
                b')' => open -= 1,
                _ => {}
            }
            self.pos += 1;
        }
        Ok(String::from_utf8_lossy(&self.src[start..self.pos]).into_owned())
    }

    fn read_word(&mut self) -> Result<Word> {
        let mut w = WordBuilder::default();
        let start = self.pos;
        while let Some(c) = self.at(0) {
            match c {
                b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b')' => break,
                b'(' => {
                    // `a=(x y)` arrays and extglobs `!(x)`: literal text.
                    let prev = self.pos.checked_sub(1).map(|i| self.src[i]);
                    if self.pos > start
                        && matches!(prev, Some(b'=' | b'@' | b'?' | b'*' | b'+' | b'!'))
                    {
                        let s = self.pos;
                        self.pos += 1;
                        self.skip_balanced_parens(1)?;
                        let text = self.src[s..self.pos].to_vec();
                        w.lits(&text, false);
                    } else {
                        break;
                    }
                }
                b'<' | b'>' => {
                    if self.at(1) != Some(b'(') {
                        break;
                    }
                    let s = self.pos;
                    self.pos += 2;
                    let script = self.nested_list()?;
                    let raw = String::from_utf8_lossy(&self.src[s..self.pos]).into_owned();
                    w.part(Part::ProcSubst { script, raw });
                }
                b'\\' => match self.at(1) {
                    None => {
                        w.lit(b'\\', false);
                        self.pos += 1;
                    }
                    Some(b'\n') => self.pos += 2,
                    Some(n) => {
                        w.lit(n, true);
                        self.pos += 2;
                    }
                },
                b'\'' => {
                    let s = self.pos + 1;
                    let Some(len) = self.src[s..].iter().position(|&b| b == b'\'') else {
                        return err("unterminated single quote");
                    };
                    let text = self.src[s..s + len].to_vec();
                    w.lits(&text, true);
                    w.had_quotes = true;
                    self.pos = s + len + 1;
                }
                b'"' => {
                    self.pos += 1;
                    w.had_quotes = true;
                    self.dquote(&mut w, Some(b'"'))?;
                }
                b'`' => self.backtick(&mut w)?,
                b'$' => self.dollar(&mut w, false)?,
                b'~' if self.pos == start => {
                    let n = self.at(1);
                    if matches!(
                        n,
                        None | Some(b'/' | b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b')' | b':')
                    ) {
                        w.part(Part::Tilde);
                        self.pos += 1;
                    } else {
                        // `~user`: somebody else's home, unknown here.
                        let s = self.pos;
                        while self
                            .at(0)
                            .is_some_and(|b| is_name(b) || b == b'-' || b == b'.')
                            || self.pos == s
                        {
                            self.pos += 1;
                        }
                        let raw = String::from_utf8_lossy(&self.src[s..self.pos]).into_owned();
                        w.part(Part::Unknown(raw));
                    }
                }
                _ => {
                    w.lit(c, false);
                    self.pos += 1;
                }
            }
        }
        Ok(w.finish())
    }

    /// Double-quoted content up to `term` (`None`: to the end, for here-docs).
    fn dquote(&mut self, w: &mut WordBuilder, term: Option<u8>) -> Result<()> {
        loop {
            let Some(c) = self.at(0) else {
                if term.is_some() {
                    return err("unterminated double quote");
                }
                return Ok(());
            };
            if Some(c) == term {
                self.pos += 1;
                return Ok(());
            }
            match c {
                b'\\' => match self.at(1) {
                    Some(b'\n') => self.pos += 2,
                    Some(n @ (b'$' | b'`' | b'"' | b'\\')) => {
                        w.lit(n, true);
                        self.pos += 2;
                    }
                    _ => {
                        w.lit(b'\\', true);
                        self.pos += 1;
                    }
                },
                b'$' => self.dollar(w, true)?,
                b'`' => self.backtick(w)?,
                _ => {
                    w.lit(c, true);
                    self.pos += 1;
                }
            }
        }
    }

    fn backtick(&mut self, w: &mut WordBuilder) -> Result<()> {
        let s = self.pos;
        self.pos += 1;
        let mut inner = Vec::new();
        loop {
            let Some(c) = self.at(0) else {
                return err("unterminated backquote");
            };
            self.pos += 1;
            match c {
                b'`' => break,
                b'\\' => match self.at(0) {
                    Some(n @ (b'`' | b'\\' | b'$')) => {
                        inner.push(n);
                        self.pos += 1;
                    }
                    _ => inner.push(b'\\'),
                },
                _ => inner.push(c),
            }
        }
        let script = self.sub_parse(&inner, |p| p.parse_list(Term::Eof))?;
        let raw = String::from_utf8_lossy(&self.src[s..self.pos]).into_owned();
        w.part(Part::Subst { script, raw });
        Ok(())
    }

    fn dollar(&mut self, w: &mut WordBuilder, in_dq: bool) -> Result<()> {
        let s = self.pos;
        match self.at(1) {
            Some(b'\'') if !in_dq => {
                self.pos += 2;
                self.ansi_c(w)?;
                w.had_quotes = true;
            }
            Some(b'"') if !in_dq => {
                self.pos += 2;
                w.had_quotes = true;
                self.dquote(w, Some(b'"'))?;
            }
            Some(b'(') => {
                if self.at(2) == Some(b'(') {
                    self.pos += 2;
                    self.skip_balanced_parens(1)?;
                    let raw = String::from_utf8_lossy(&self.src[s..self.pos]).into_owned();
                    w.part(Part::Unknown(raw));
                } else {
                    self.pos += 2;
                    let script = self.nested_list()?;
                    let raw = String::from_utf8_lossy(&self.src[s..self.pos]).into_owned();
                    w.part(Part::Subst { script, raw });
                }
            }
            Some(b'{') => {
                self.pos += 2;
                let inner_start = self.pos;
                let mut depth = 1usize;
                loop {
                    let Some(c) = self.at(0) else {
                        return err("unterminated ${");
                    };
                    self.pos += 1;
                    match c {
                        b'\\' => self.pos += 1,
                        b'{' => depth += 1,
                        b'}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let inner = &self.src[inner_start..self.pos - 1];
                let raw = String::from_utf8_lossy(&self.src[s..self.pos]).into_owned();
                let name_len = inner.iter().take_while(|&&b| is_name(b)).count();
                let rest = &inner[name_len..];
                let simple_mod = rest.is_empty()
                    || [&b":?"[..], b"?", b":-", b"-", b":=", b"="]
                        .iter()
                        .any(|m| rest.starts_with(m));
                if name_len > 0 && is_name_start(inner[0]) && simple_mod {
                    let name = String::from_utf8_lossy(&inner[..name_len]).into_owned();
                    w.part(Part::Var { name, raw });
                } else {
                    w.part(Part::Unknown(raw));
                }
            }
            Some(c) if is_name_start(c) => {
                self.pos += 1;
                let ns = self.pos;
                while self.at(0).is_some_and(is_name) {
                    self.pos += 1;
                }
                let name = String::from_utf8_lossy(&self.src[ns..self.pos]).into_owned();
                let raw = format!("${name}");
                w.part(Part::Var { name, raw });
            }
            Some(c) if c.is_ascii_digit() || b"@*#?$!-".contains(&c) => {
                self.pos += 2;
                w.part(Part::Unknown(
                    String::from_utf8_lossy(&self.src[s..self.pos]).into_owned(),
                ));
            }
            _ => {
                w.lit(b'$', in_dq);
                self.pos += 1;
            }
        }
        Ok(())
    }

    fn ansi_c(&mut self, w: &mut WordBuilder) -> Result<()> {
        loop {
            let Some(c) = self.at(0) else {
                return err("unterminated $'");
            };
            self.pos += 1;
            match c {
                b'\'' => return Ok(()),
                b'\\' => {
                    let Some(e) = self.at(0) else {
                        return err("unterminated $'");
                    };
                    self.pos += 1;
                    let simple = match e {
                        b'n' => Some(b'\n'),
                        b't' => Some(b'\t'),
                        b'r' => Some(b'\r'),
                        b'a' => Some(7),
                        b'b' => Some(8),
                        b'e' | b'E' => Some(27),
                        b'f' => Some(12),
                        b'v' => Some(11),
                        b'\\' | b'\'' | b'"' | b'?' => Some(e),
                        _ => None,
                    };
                    if let Some(b) = simple {
                        w.lit(b, true);
                        continue;
                    }
                    match e {
                        b'x' | b'u' | b'U' => {
                            let max = match e {
                                b'x' => 2,
                                b'u' => 4,
                                _ => 8,
                            };
                            let mut v: u32 = 0;
                            let mut n = 0;
                            while n < max {
                                let Some(d) = self.at(0).and_then(|b| (b as char).to_digit(16))
                                else {
                                    break;
                                };
                                v = v * 16 + d;
                                self.pos += 1;
                                n += 1;
                            }
                            if n == 0 {
                                w.lits(&[b'\\', e], true);
                            } else if e == b'x' {
                                w.lit(v as u8, true);
                            } else {
                                let ch = char::from_u32(v).unwrap_or('\u{fffd}');
                                let mut buf = [0u8; 4];
                                w.lits(ch.encode_utf8(&mut buf).as_bytes(), true);
                            }
                        }
                        b'0'..=b'7' => {
                            let mut v: u32 = (e - b'0') as u32;
                            let mut n = 1;
                            while n < 3 {
                                match self.at(0) {
                                    Some(d @ b'0'..=b'7') => {
                                        v = v * 8 + (d - b'0') as u32;
                                        self.pos += 1;
                                        n += 1;
                                    }
                                    _ => break,
                                }
                            }
                            w.lit(v as u8, true);
                        }
                        b'c' => {
                            if let Some(x) = self.at(0) {
                                self.pos += 1;
                                w.lit(x & 0x1f, true);
                            }
                        }
                        _ => w.lits(&[b'\\', e], true),
                    }
                }
                _ => w.lit(c, true),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(src: &str) -> Vec<Vec<String>> {
        let p = parse(src, 0).unwrap();
        let mut out = Vec::new();
        for pl in &p.script.items {
            for c in pl {
                if let Command::Simple(s) = c {
                    out.push(
                        s.words
                            .iter()
                            .map(|w| w.literal().unwrap_or_else(|| w.raw_text()))
                            .collect(),
                    );
                }
            }
        }
        out
    }

    #[test]
    fn quoting_joins_pieces() {
        assert_eq!(words(r#"r"m" -'r'f \/"#), vec![vec!["rm", "-rf", "/"]]);
        assert_eq!(words(r"$'r\x6d' a\ b"), vec![vec!["rm", "a b"]]);
        assert_eq!(
            words(r#"echo "a \"b\" \$c""#),
            vec![vec!["echo", "a \"b\" $c"]]
        );
        assert_eq!(words("echo ''"), vec![vec!["echo", ""]]);
        assert_eq!(words("echo a\\\nb"), vec![vec!["echo", "ab"]]);
    }

    #[test]
    fn comments_and_operators() {
        assert_eq!(
            words("a # rm -rf /\nb;c&&d||e|f|&g&h"),
            vec![
                vec!["a"],
                vec!["b"],
                vec!["c"],
                vec!["d"],
                vec!["e"],
                vec!["f"],
                vec!["g"],
                vec!["h"]
            ]
        );
        assert_eq!(words("echo a#b"), vec![vec!["echo", "a#b"]]);
    }

    #[test]
    fn keywords_are_dropped() {
        let w = words("if true; then rm x; else echo; fi; for i in 1 2; do ls $i; done");
        assert_eq!(w[0], vec!["true"]);
        assert_eq!(w[1], vec!["rm", "x"]);
        assert_eq!(w[2], vec!["echo"]);
        assert_eq!(w[3], vec!["ls", "$i"]);
        let w = words("case $x in a|b) rm a;; (c) rm c;; esac; echo done");
        assert_eq!(
            w,
            vec![vec!["rm", "a"], vec!["rm", "c"], vec!["echo", "done"]]
        );
        let w = words("f() { rm -rf y; }; function g { ls; }");
        assert_eq!(w, vec![vec!["rm", "-rf", "y"], vec!["ls"]]);
    }

    #[test]
    fn heredocs() {
        let p = parse("cat <<'EOF' > f\nrm -rf /\nEOF\nls", 0).unwrap();
        assert_eq!(p.heredocs[0].body, "rm -rf /\n");
        assert!(p.heredocs[0].expanded.is_none());
        assert_eq!(p.script.items.len(), 2);
        let p = parse("cat <<-X\n\t$(id)\n\tX\n", 0).unwrap();
        assert_eq!(p.heredocs[0].body, "$(id)\n");
        assert!(p.heredocs[0].expanded.is_some());
        let p = parse("a <<A; b <<B\n1\nA\n2\nB\n", 0).unwrap();
        assert_eq!(p.heredocs[0].body, "1\n");
        assert_eq!(p.heredocs[1].body, "2\n");
    }

    #[test]
    fn nesting_and_errors() {
        let p = parse("echo $(rm -rf / `ls`) <(curl x)", 0).unwrap();
        let Command::Simple(s) = &p.script.items[0][0] else {
            panic!()
        };
        assert!(matches!(s.words[1].parts[0], Part::Subst { .. }));
        assert!(matches!(s.words[2].parts[0], Part::ProcSubst { .. }));
        assert!(parse("echo 'x", 0).is_err());
        assert!(parse("echo \"x", 0).is_err());
        assert!(parse("echo $(x", 0).is_err());
        let bomb = "$(".repeat(40) + &")".repeat(40);
        assert!(parse(&bomb, 0).is_err());
        let ok = "$(".repeat(10) + "x" + &")".repeat(10);
        assert!(parse(&ok, 0).is_ok());
    }

    #[test]
    fn redirects_and_fds() {
        let p = parse("cmd 2>&1 >/dev/sda &>> log <<< 'x' 3<in", 0).unwrap();
        let Command::Simple(s) = &p.script.items[0][0] else {
            panic!()
        };
        let ops: Vec<_> = s.redirects.iter().map(|r| (r.fd, r.op)).collect();
        assert_eq!(
            ops,
            vec![
                (Some(2), RedirOp::DupOut),
                (None, RedirOp::Out),
                (None, RedirOp::AppendErr),
                (None, RedirOp::HereString),
                (Some(3), RedirOp::In)
            ]
        );
        assert_eq!(s.words.len(), 1);
    }

    #[test]
    fn assignments_and_vars() {
        let p = parse("FOO=bar X=$(id) rm ${HOME:?}/ $1", 0).unwrap();
        let Command::Simple(s) = &p.script.items[0][0] else {
            panic!()
        };
        assert_eq!(s.assigns.len(), 2);
        assert!(matches!(&s.words[1].parts[0], Part::Var { name, .. } if name == "HOME"));
        assert!(matches!(&s.words[2].parts[0], Part::Unknown(_)));
    }
}
