//! One pass that cuts a text into ASCII digit runs, ASCII letter runs and
//! single other characters, remembering whether whitespace came before each.
//! Patterns then look at tokens instead of bytes, which keeps them short and
//! keeps every slice on a char boundary.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tok {
    Num,
    Word,
    Punct(u8),
    /// Any non-ASCII, non-space character ("∙", "·", letters with accents).
    Other,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
    /// Whitespace (any Unicode space: ICU writes "3\u{202f}PM") came before.
    pub spaced: bool,
}

pub(super) fn tokenize(s: &str) -> Vec<Token> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut spaced = false;
    while i < b.len() {
        let start = i;
        let c = b[i];
        let tok = if c.is_ascii_digit() {
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            Tok::Num
        } else if c.is_ascii_alphabetic() {
            while i < b.len() && b[i].is_ascii_alphabetic() {
                i += 1;
            }
            Tok::Word
        } else if c.is_ascii_whitespace() {
            i += 1;
            spaced = true;
            continue;
        } else if c.is_ascii() {
            i += 1;
            Tok::Punct(c)
        } else {
            // `i` only ever advances by whole characters, so it is a boundary.
            let ch = s[i..].chars().next().unwrap_or(char::REPLACEMENT_CHARACTER);
            i += ch.len_utf8().max(1);
            if ch.is_whitespace() {
                spaced = true;
                continue;
            }
            Tok::Other
        };
        out.push(Token {
            tok,
            start,
            end: i,
            spaced,
        });
        spaced = false;
    }
    out
}
