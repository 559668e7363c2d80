//! JSON with positions: settings findings name the line, and duplicate
//! keys (which JSON.parse silently resolves to the last) are kept so they
//! can be reported.

#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Node>),
    /// Keys in order, duplicates kept.
    Obj(Vec<(String, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub v: Json,
    /// 1-based line of the value's first byte.
    pub line: usize,
}

impl Node {
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.v {
            // The last of duplicate keys wins, as in JavaScript.
            Json::Obj(m) => m.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match &self.v {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match &self.v {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn as_f64(&self) -> Option<f64> {
        match &self.v {
            Json::Num(n) => Some(*n),
            _ => None,
        }
    }
    pub fn as_arr(&self) -> Option<&[Node]> {
        match &self.v {
            Json::Arr(a) => Some(a),
            _ => None,
        }
    }
    pub fn as_obj(&self) -> Option<&[(String, Node)]> {
        match &self.v {
            Json::Obj(o) => Some(o),
            _ => None,
        }
    }
    pub fn type_name(&self) -> &'static str {
        match &self.v {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Num(_) => "a number",
            Json::Str(_) => "a string",
            Json::Arr(_) => "an array",
            Json::Obj(_) => "an object",
        }
    }
}

/// Where and why the text is not JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub line: usize,
    pub column: usize,
    pub msg: String,
}

pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
        depth: 0,
        newlines: memchr_newlines(text.as_bytes()),
    };
    p.ws();
    let v = p.value()?;
    p.ws();
    if p.i < p.s.len() {
        return Err(p.err("unexpected text after the JSON value"));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    depth: usize,
    /// Offsets of every '\n': a position's line is a binary search, so a
    /// big file (`~/.claude.json`) parses in linear time.
    newlines: Vec<usize>,
}

/// JSON's number grammar (JSON.parse refuses `01`, `1.`, `.5`, `+1`).
fn json_number(t: &str) -> bool {
    let b = t.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

fn memchr_newlines(s: &[u8]) -> Vec<usize> {
    s.iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i)
        .collect()
}

impl Parser<'_> {
    fn pos(&self, at: usize) -> (usize, usize) {
        let at = at.min(self.s.len());
        let before = self.newlines.partition_point(|&n| n < at);
        let line_start = if before == 0 {
            0
        } else {
            self.newlines[before - 1] + 1
        };
        (before + 1, at - line_start + 1)
    }
    fn err(&self, msg: &str) -> SyntaxError {
        let (line, column) = self.pos(self.i);
        SyntaxError {
            line,
            column,
            msg: msg.to_string(),
        }
    }
    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }
    fn value(&mut self) -> Result<Node, SyntaxError> {
        self.depth += 1;
        if self.depth > 200 {
            return Err(self.err("nested too deeply"));
        }
        let line = self.pos(self.i).0;
        let v = match self.s.get(self.i) {
            None => return Err(self.err("unexpected end of the file")),
            Some(b'{') => self.object()?,
            Some(b'[') => self.array()?,
            Some(b'"') => Json::Str(self.string()?),
            Some(b't') => self.word("true", Json::Bool(true))?,
            Some(b'f') => self.word("false", Json::Bool(false))?,
            Some(b'n') => self.word("null", Json::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(b'/') => return Err(self.err("comments are not allowed in JSON")),
            Some(_) => return Err(self.err("expected a value")),
        };
        self.depth -= 1;
        Ok(Node { v, line })
    }
    fn word(&mut self, w: &str, v: Json) -> Result<Json, SyntaxError> {
        if self.s[self.i..].starts_with(w.as_bytes()) {
            self.i += w.len();
            Ok(v)
        } else {
            Err(self.err("expected a value"))
        }
    }
    fn number(&mut self) -> Result<Json, SyntaxError> {
        let start = self.i;
        while self.i < self.s.len()
            && matches!(
                self.s[self.i],
                b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'
            )
        {
            self.i += 1;
        }
        std::str::from_utf8(&self.s[start..self.i])
            .ok()
            .filter(|t| json_number(t))
            .and_then(|t| t.parse::<f64>().ok())
            .map(Json::Num)
            .ok_or_else(|| {
                let mut e = self.err("invalid number");
                e.column -= self.i - start;
                e
            })
    }
    fn string(&mut self) -> Result<String, SyntaxError> {
        self.i += 1;
        let mut out = Vec::new();
        loop {
            match self.s.get(self.i) {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    self.i += 1;
                    break;
                }
                Some(b'\\') => {
                    let esc = self.s.get(self.i + 1).copied();
                    self.i += 2;
                    match esc {
                        Some(b'n') => out.push(b'\n'),
                        Some(b't') => out.push(b'\t'),
                        Some(b'r') => out.push(b'\r'),
                        Some(b'b') => out.push(8),
                        Some(b'f') => out.push(12),
                        Some(c @ (b'"' | b'\\' | b'/')) => out.push(c),
                        Some(b'u') => {
                            let hex = self
                                .s
                                .get(self.i..self.i + 4)
                                .and_then(|h| std::str::from_utf8(h).ok())
                                .and_then(|h| u32::from_str_radix(h, 16).ok())
                                .ok_or_else(|| self.err("invalid \\u escape"))?;
                            self.i += 4;
                            let c = char::from_u32(hex).unwrap_or('\u{fffd}');
                            let mut b = [0; 4];
                            out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
                        }
                        _ => return Err(self.err("invalid escape in a string")),
                    }
                }
                Some(&c) if c < 0x20 => {
                    return Err(self.err("a raw control character (a line break?) in a string"))
                }
                Some(&c) => {
                    out.push(c);
                    self.i += 1;
                }
            }
        }
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
    fn array(&mut self) -> Result<Json, SyntaxError> {
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.s.get(self.i) == Some(&b']') {
            self.i += 1;
            return Ok(Json::Arr(items));
        }
        loop {
            self.ws();
            if self.s.get(self.i) == Some(&b']') {
                return Err(self.err("a trailing comma before ']'"));
            }
            items.push(self.value()?);
            self.ws();
            match self.s.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(Json::Arr(items));
                }
                _ => return Err(self.err("expected ',' or ']'")),
            }
        }
    }
    fn object(&mut self) -> Result<Json, SyntaxError> {
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.s.get(self.i) == Some(&b'}') {
            self.i += 1;
            return Ok(Json::Obj(items));
        }
        loop {
            self.ws();
            match self.s.get(self.i) {
                Some(b'"') => {}
                Some(b'}') => return Err(self.err("a trailing comma before '}'")),
                _ => return Err(self.err("expected a key in double quotes")),
            }
            let k = self.string()?;
            self.ws();
            if self.s.get(self.i) != Some(&b':') {
                return Err(self.err("expected ':' after the key"));
            }
            self.i += 1;
            self.ws();
            let v = self.value()?;
            items.push((k, v));
            self.ws();
            match self.s.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Json::Obj(items));
                }
                _ => return Err(self.err("expected ',' or '}'")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_errors() {
        let n = parse("{\n  \"a\": [1,\n  2],\n  \"a\": true\n}").unwrap();
        assert_eq!(n.get("a").unwrap().line, 4, "the last duplicate wins");
        assert_eq!(n.as_obj().unwrap().len(), 2, "duplicates kept");
        let e = parse("{\n  \"a\": 1,\n}").unwrap_err();
        assert_eq!((e.line, e.msg.as_str()), (3, "a trailing comma before '}'"));
        let e = parse("{\"a\": \"x\ny\"}").unwrap_err();
        assert_eq!(e.line, 1);
        assert!(parse("// c\n{}").is_err());
        assert!(parse(&"[".repeat(10_000)).is_err());
        assert_eq!(parse("\"\\u00e9\"").unwrap().as_str(), Some("é"));
        for bad in ["01", "1.", "-.5", "+1", "1e"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        for good in ["0", "-0.5", "10", "1e9", "2.5E-3"] {
            assert!(parse(good).is_ok(), "{good}");
        }
    }
}
