//! Globs for user rules (`command = "npm run e2e*"`, `path = "**/.env"`).
//!
//! Rules are matched on the hook path, where compiling a regex costs more
//! than the whole decision; a glob compiles to a token list in microseconds
//! and matches with a linear-time wildcard walk (no backtracking blow-up).
//!
//! Syntax: `*` any run of characters, `?` one character, `[abc]`, `[a-z]`,
//! `[!abc]` one character of (or not of) a set, `\x` a literal `x`.
//! In [`Mode::Path`], `*` and `?` do not cross `/` and `**` does.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `*` matches any characters, `/` included (commands, error texts).
    Text,
    /// `*` stops at `/`; `**` crosses it (file paths).
    Path,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Lit(char),
    Any,      // ?
    Star,     // * (in Path mode: not across '/')
    Globstar, // ** in Path mode: anything
    Class {
        negated: bool,
        items: Vec<(char, char)>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    pattern: String,
    toks: Vec<Tok>,
    mode: Mode,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobError(pub String);

impl std::fmt::Display for GlobError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GlobError {}

impl Glob {
    pub fn new(pattern: &str, mode: Mode) -> Result<Glob, GlobError> {
        let mut toks = Vec::new();
        let mut it = pattern.chars().peekable();
        while let Some(c) = it.next() {
            match c {
                '\\' => match it.next() {
                    Some(n) => toks.push(Tok::Lit(n)),
                    None => return Err(GlobError(format!("glob {pattern:?} ends with a lone \\"))),
                },
                '?' => toks.push(Tok::Any),
                '*' => {
                    let mut double = false;
                    while it.peek() == Some(&'*') {
                        it.next();
                        double = true;
                    }
                    let t = if double && mode == Mode::Path {
                        Tok::Globstar
                    } else {
                        Tok::Star
                    };
                    // `**/` also matches zero directories: `**/.env` ~ `.env`.
                    if t == Tok::Globstar && it.peek() == Some(&'/') {
                        it.next();
                        toks.push(Tok::Globstar);
                        toks.push(Tok::Lit('\u{0}')); // marker: optional "dir/" prefix
                        continue;
                    }
                    if toks.last() != Some(&t) {
                        toks.push(t);
                    }
                }
                '[' => {
                    let mut items = Vec::new();
                    let negated = matches!(it.peek(), Some('!') | Some('^'));
                    if negated {
                        it.next();
                    }
                    let mut first = true;
                    loop {
                        let Some(a) = it.next() else {
                            return Err(GlobError(format!("glob {pattern:?}: [ without ]")));
                        };
                        if a == ']' && !first {
                            break;
                        }
                        first = false;
                        let a = if a == '\\' {
                            it.next().ok_or_else(|| {
                                GlobError(format!("glob {pattern:?}: [ without ]"))
                            })?
                        } else {
                            a
                        };
                        if it.peek() == Some(&'-') {
                            let mut look = it.clone();
                            look.next();
                            match look.peek() {
                                Some(&b) if b != ']' => {
                                    it.next();
                                    it.next();
                                    items.push((a, b));
                                    continue;
                                }
                                _ => {}
                            }
                        }
                        items.push((a, a));
                    }
                    toks.push(Tok::Class { negated, items });
                }
                c => toks.push(Tok::Lit(c)),
            }
        }
        Ok(Glob {
            pattern: pattern.to_string(),
            toks,
            mode,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    pub fn is_match(&self, text: &str) -> bool {
        let s: Vec<char> = text.chars().collect();
        matches_at(&self.toks, &s, self.mode)
    }
}

/// Recursive matcher with memo over (token, position): O(tokens × text).
fn matches_at(toks: &[Tok], s: &[char], mode: Mode) -> bool {
    let mut memo = vec![None; (toks.len() + 1) * (s.len() + 1)];
    m(toks, s, 0, 0, mode, &mut memo)
}

fn m(
    toks: &[Tok],
    s: &[char],
    ti: usize,
    si: usize,
    mode: Mode,
    memo: &mut [Option<bool>],
) -> bool {
    let key = ti * (s.len() + 1) + si;
    if let Some(r) = memo[key] {
        return r;
    }
    let r = match toks.get(ti) {
        None => si == s.len(),
        Some(Tok::Lit('\u{0}')) => {
            // After `**/`: either nothing was consumed by ** (no dir prefix),
            // or the prefix must end with '/'.
            (si == 0 || s[si - 1] == '/') && m(toks, s, ti + 1, si, mode, memo)
        }
        Some(Tok::Lit(c)) => si < s.len() && s[si] == *c && m(toks, s, ti + 1, si + 1, mode, memo),
        Some(Tok::Any) => {
            si < s.len()
                && !(mode == Mode::Path && s[si] == '/')
                && m(toks, s, ti + 1, si + 1, mode, memo)
        }
        Some(Tok::Class { negated, items }) => {
            si < s.len()
                && !(mode == Mode::Path && s[si] == '/')
                && (items.iter().any(|&(a, b)| a <= s[si] && s[si] <= b) != *negated)
                && m(toks, s, ti + 1, si + 1, mode, memo)
        }
        Some(Tok::Star) => {
            let mut j = si;
            loop {
                if m(toks, s, ti + 1, j, mode, memo) {
                    break true;
                }
                if j == s.len() || (mode == Mode::Path && s[j] == '/') {
                    break false;
                }
                j += 1;
            }
        }
        Some(Tok::Globstar) => {
            let mut j = si;
            loop {
                if m(toks, s, ti + 1, j, mode, memo) {
                    break true;
                }
                if j == s.len() {
                    break false;
                }
                j += 1;
            }
        }
    };
    memo[key] = Some(r);
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(p: &str, s: &str) -> bool {
        Glob::new(p, Mode::Text).unwrap().is_match(s)
    }
    fn p(p: &str, s: &str) -> bool {
        Glob::new(p, Mode::Path).unwrap().is_match(s)
    }

    #[test]
    fn text_mode() {
        assert!(t("npm run e2e*", "npm run e2e -- --grep x/y"));
        assert!(!t("npm run e2e*", "pnpm run e2e"));
        assert!(t("*pytest*", "cd x && python -m pytest -q"));
        assert!(t("git push ?origin", "git push -origin"));
        assert!(t("rm -[rf][rf] *", "rm -rf build"));
        assert!(!t("rm -[!r]f *", "rm -rf build"));
        assert!(t("a\\*b", "a*b"));
        assert!(!t("a\\*b", "axb"));
        assert!(t("", ""));
        assert!(t("*", ""));
    }

    #[test]
    fn path_mode() {
        assert!(p("/home/*/work", "/home/me/work"));
        assert!(!p("/home/*/work", "/home/me/x/work"));
        assert!(p("/home/**/work", "/home/me/x/work"));
        assert!(p("**/.env", ".env"));
        assert!(p("**/.env", "/a/b/.env"));
        assert!(!p("**/.env", "/a/b/x.env"));
        assert!(p("/srv/**", "/srv/a/b"));
        assert!(p("*.rs", "main.rs"));
        assert!(!p("*.rs", "src/main.rs"));
        assert!(p("[a-c]?.txt", "bx.txt"));
    }

    #[test]
    fn errors_are_reported() {
        assert!(Glob::new("[abc", Mode::Text).is_err());
        assert!(Glob::new("abc\\", Mode::Text).is_err());
    }

    #[test]
    fn long_inputs_stay_linear() {
        let g = Glob::new("*a*a*a*a*a*a*a*b", Mode::Text).unwrap();
        let s = "a".repeat(2000);
        assert!(!g.is_match(&s));
    }

    proptest::proptest! {
        #[test]
        fn never_panics(pat in ".{0,20}", s in ".{0,40}") {
            if let Ok(g) = Glob::new(&pat, Mode::Path) { let _ = g.is_match(&s); }
            if let Ok(g) = Glob::new(&pat, Mode::Text) { let _ = g.is_match(&s); }
        }
        #[test]
        fn literal_patterns_match_themselves(s in "[a-z/ .-]{0,30}") {
            assert!(Glob::new(&s, Mode::Path).unwrap().is_match(&s));
        }
    }
}
