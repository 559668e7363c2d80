//! Byte classes and the hand-written checks that stand in for regexes:
//! character sets, word boundaries that understand JSON escapes, Shannon
//! entropy and placeholder detection.

/// One table lookup answers "is this byte in set X" for every set below.
/// Built at compile time, so it costs nothing per process.
static CLASS: [u16; 256] = build_class_table();

pub(crate) const ALNUM: u16 = 1 << 0;
pub(crate) const UNDERSCORE: u16 = 1 << 1;
pub(crate) const DASH: u16 = 1 << 2;
pub(crate) const PLUS_SLASH: u16 = 1 << 3;
pub(crate) const EQUALS: u16 = 1 << 4;
pub(crate) const HEX: u16 = 1 << 5;
pub(crate) const LOWER_HEX: u16 = 1 << 6;
pub(crate) const DOT: u16 = 1 << 7;
pub(crate) const TILDE: u16 = 1 << 8;
pub(crate) const BECH32_UPPER: u16 = 1 << 9;
/// Ends an unquoted value: whitespace, quotes, the JSON escape character and
/// the punctuation that separates values in shell, URLs, code and logs.
pub(crate) const VALUE_STOP: u16 = 1 << 10;
pub(crate) const LOWER_ALNUM: u16 = 1 << 11;
pub(crate) const SPACE: u16 = 1 << 12;

/// `\w` plus `-`: base64url and most token alphabets.
pub(crate) const B64URL: u16 = ALNUM | UNDERSCORE | DASH;
pub(crate) const WORD: u16 = ALNUM | UNDERSCORE;
pub(crate) const B64: u16 = ALNUM | PLUS_SLASH | EQUALS;
pub(crate) const B64_ANY: u16 = ALNUM | PLUS_SLASH | EQUALS | UNDERSCORE | DASH;
pub(crate) const HEX_ANY: u16 = HEX;
pub(crate) const HEX_LOWER: u16 = LOWER_HEX;
pub(crate) const BECH32: u16 = BECH32_UPPER;
pub(crate) const LOWER_ALNUM_SET: u16 = LOWER_ALNUM;
pub(crate) const GITLAB: u16 = ALNUM | UNDERSCORE | DASH | DOT;
pub(crate) const SLACK: u16 = ALNUM | DASH;
/// RFC 7235 token68, the alphabet of HTTP credentials.
pub(crate) const TOKEN68: u16 = ALNUM | DASH | DOT | UNDERSCORE | TILDE | PLUS_SLASH | EQUALS;
/// Characters of a key name: `DB_PASSWORD`, `x-api-key`, `spring.datasource.password`, `--token`.
pub(crate) const IDENT: u16 = ALNUM | UNDERSCORE | DASH | DOT;

const fn build_class_table() -> [u16; 256] {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        let mut f = 0u16;
        if b.is_ascii_alphanumeric() {
            f |= ALNUM;
        }
        if b.is_ascii_hexdigit() {
            f |= HEX;
        }
        if b.is_ascii_digit() || (b >= b'a' && b <= b'f') {
            f |= LOWER_HEX;
        }
        if b.is_ascii_lowercase() || b.is_ascii_digit() {
            f |= LOWER_ALNUM;
        }
        // bech32 alphabet (BIP-173), upper case as age prints it: no 1, B, I, O.
        if (b.is_ascii_uppercase() && b != b'B' && b != b'I' && b != b'O')
            || (b.is_ascii_digit() && b != b'1')
        {
            f |= BECH32_UPPER;
        }
        if b == b' ' || b == b'\t' {
            f |= SPACE;
        }
        match b {
            b'_' => f |= UNDERSCORE,
            b'-' => f |= DASH,
            b'+' | b'/' => f |= PLUS_SLASH,
            b'=' => f |= EQUALS,
            b'.' => f |= DOT,
            b'~' => f |= TILDE,
            _ => {}
        }
        if b <= b' '
            || b == 0x7f
            || matches!(
                b,
                b'"' | b'\''
                    | b'`'
                    | b'\\'
                    | b','
                    | b';'
                    | b'&'
                    | b'('
                    | b')'
                    | b'['
                    | b']'
                    | b'{'
                    | b'}'
                    | b'<'
                    | b'>'
                    | b'|'
            )
        {
            f |= VALUE_STOP;
        }
        t[i] = f;
        i += 1;
    }
    t
}

#[inline]
pub(crate) fn is(b: u8, set: u16) -> bool {
    CLASS[b as usize] & set != 0
}

#[inline]
pub(crate) fn is_alnum(b: u8) -> bool {
    is(b, ALNUM)
}

#[inline]
pub(crate) fn is_value_stop(b: u8) -> bool {
    is(b, VALUE_STOP)
}

/// End of the run of `set` bytes that starts at `from`.
#[inline]
pub(crate) fn run_end(input: &[u8], from: usize, set: u16) -> usize {
    let mut i = from;
    while i < input.len() && is(input[i], set) {
        i += 1;
    }
    i
}

/// Start of the run of `set` bytes that ends at `end`, not taking the letter
/// of a JSON escape (`\n`, `\t`, ...) as part of the run: in the raw JSON
/// text `...\nghp_...` the token starts at `g`, not at `n`.
#[inline]
pub(crate) fn run_start(input: &[u8], end: usize, set: u16) -> usize {
    let mut i = end;
    while i > 0
        && is(input[i - 1], set)
        && !is_escape_letter_at(input, i - 1)
        && !(input[i - 1] == b'm' && ansi_ends_at(input, i))
    {
        i -= 1;
    }
    i
}

/// Does a colour escape (`ESC[1;32m`, or `\u001b[0m` as JSON writes it) end
/// at `end`? Coloured build output glues tokens to the `m`.
#[cold]
pub(crate) fn ansi_ends_at(input: &[u8], end: usize) -> bool {
    if end == 0 || input[end - 1] != b'm' {
        return false;
    }
    let mut j = end - 1;
    while j > 0 && (input[j - 1].is_ascii_digit() || input[j - 1] == b';') {
        j -= 1;
    }
    if j == 0 || input[j - 1] != b'[' {
        return false;
    }
    let before = &input[..j - 1];
    before.ends_with(b"\\x1b")
        || before.ends_with(b"\\u001b")
        || before.ends_with(b"\\u001B")
        || before.ends_with(b"\\033")
        || before.ends_with(b"\\e")
        || before.last() == Some(&0x1b)
}

/// Is `input[i]` the letter of a `\n`, `\r`, `\t`, `\b` or `\f` escape?
/// A backslash before the letter is enough: double-encoded JSON writes the
/// escape as `\\n`, and a false "yes" here only makes a boundary more lenient.
#[inline]
pub(crate) fn is_escape_letter_at(input: &[u8], i: usize) -> bool {
    i > 0 && input[i - 1] == b'\\' && matches!(input[i], b'n' | b'r' | b't' | b'b' | b'f')
}

/// Does a token that starts at `start` start a word? Secrets glued to the end
/// of other alphanumerics (`TASKSK…`, base64 blobs) are not what the prefix
/// means.
#[inline]
pub(crate) fn left_boundary(input: &[u8], start: usize) -> bool {
    start == 0
        || !is_alnum(input[start - 1])
        || is_escape_letter_at(input, start - 1)
        || ansi_ends_at(input, start)
}

pub(crate) fn starts_with_at(input: &[u8], at: usize, lit: &[u8]) -> bool {
    input.len() >= at + lit.len() && &input[at..at + lit.len()] == lit
}

pub(crate) fn ends_with_at(input: &[u8], end: usize, lit: &[u8]) -> bool {
    end >= lit.len() && &input[end - lit.len()..end] == lit
}

pub(crate) fn contains(hay: &[u8], needle: &[u8]) -> bool {
    // memmem's searcher setup costs more than a naive scan of a short key.
    if hay.len() < 256 {
        hay.len() >= needle.len() && hay.windows(needle.len()).any(|w| w == needle)
    } else {
        hookwatch_find::find(hay, needle).is_some()
    }
}

pub(crate) fn contains_ignore_case(hay: &[u8], needle_lower: &[u8]) -> bool {
    hay.len() >= needle_lower.len()
        && hay
            .windows(needle_lower.len())
            .any(|w| w.eq_ignore_ascii_case(needle_lower))
}

/// Shannon entropy in bits per byte.
pub(crate) fn entropy(v: &[u8]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in v {
        counts[b as usize] += 1;
    }
    let n = v.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

pub(crate) struct Classes {
    pub lower: bool,
    pub upper: bool,
    pub digit: bool,
    pub other: bool,
}

pub(crate) fn classes(v: &[u8]) -> Classes {
    let mut c = Classes {
        lower: false,
        upper: false,
        digit: false,
        other: false,
    };
    for &b in v {
        match b {
            b'a'..=b'z' => c.lower = true,
            b'A'..=b'Z' => c.upper = true,
            b'0'..=b'9' => c.digit = true,
            _ => c.other = true,
        }
    }
    c
}

impl Classes {
    pub(crate) fn count(&self) -> usize {
        usize::from(self.lower)
            + usize::from(self.upper)
            + usize::from(self.digit)
            + usize::from(self.other)
    }
}

/// Values that stand for a secret without being one: template variables,
/// documentation placeholders, masks, literals, markers we wrote ourselves.
pub(crate) fn is_placeholder(v: &[u8]) -> bool {
    let Some(&first) = v.first() else { return true };
    // Paths, references, comments.
    if is_template(v) || b"@&#?./~".contains(&first) {
        return true;
    }
    #[rustfmt::skip]
    const WORDS: &[&[u8]] = &[
        b"null", b"nil", b"none", b"true", b"false", b"undefined", b"string", b"str", b"password",
        b"passwd", b"secret", b"token", b"pass", b"required", b"optional", b"empty",
        b"hidden", b"masked", b"default", b"changeme", b"change_me", b"notset", b"not_set",
        b"unset", b"mypassword", b"yourpassword", b"apikey", b"api_key", b"secretkey", b"private",
        b"redacted", b"filtered", b"omitted", b"sensitive",
    ];
    if WORDS.iter().any(|w| v.eq_ignore_ascii_case(w)) {
        return true;
    }
    // Looked for at each byte with the matching first letter, in one pass:
    // this runs on every candidate value.
    // `example`, `EXAMPLE` or `Example`, not `eXaMpLe` inside a random token.
    let at = |i: usize, part: &[u8]| {
        let Some(w) = v.get(i..i + part.len()) else {
            return false;
        };
        w.eq_ignore_ascii_case(part)
            && (w[1..].iter().all(|b| !b.is_ascii_uppercase())
                || w.iter().all(|b| !b.is_ascii_lowercase()))
    };
    for i in 0..v.len() {
        let hit = match v[i] | 0x20 {
            b'e' => at(i, b"example"),
            b'p' => at(i, b"placeholder"),
            b'r' => at(i, b"redacted") || at(i, b"replace_me") || at(i, b"replace-me"),
            b'c' => at(i, b"changeme") || at(i, b"change_me") || at(i, b"change-me"),
            b'y' => {
                at(i, b"your_")
                    || at(i, b"your-")
                    || at(i, b"yourtoken")
                    || at(i, b"yourkey")
                    || at(i, b"yoursecret")
            }
            b'd' => at(i, b"dummy"),
            b's' => at(i, b"sample"),
            b'i' => at(i, b"insert_"),
            b'f' => at(i, b"fixme"),
            b'x' => {
                at(i, b"xxxx") && (v[i] == v[i + 1] && v[i + 1] == v[i + 2] && v[i + 2] == v[i + 3])
            }
            // `*` | 0x20 is `*`; `$`, `{`, `}`, `<`, `>` likewise keep their value.
            b'*' => at(i, b"****"),
            b'.' => at(i, b"...."),
            b'$' => at(i, b"${"),
            b'{' => at(i, b"{{"),
            b'}' => at(i, b"}}"),
            b'<' | b'>' => matches!(v[i], b'<' | b'>'),
            _ => false,
        };
        if hit {
            return true;
        }
    }
    false
}

/// Stands in for a value without being one, whatever the context: template
/// variables (`$PASS`, `${PASS}`, `{{ pass }}`, `%PASS%`, `<password>`,
/// `[REDACTED:…]`) and masks (`****`, `xxxxxxxx`).
pub(crate) fn is_template(v: &[u8]) -> bool {
    let Some(&first) = v.first() else { return true };
    b"$<{%[*".contains(&first) || v.iter().all(|&b| b == first)
}

/// Random tokens are never a single repeated character or a placeholder
/// such as `xxxxxxxx…`; documentation writes those in place of real tokens.
pub(crate) fn not_filler(v: &[u8]) -> bool {
    let distinct = {
        let mut seen = [false; 256];
        v.iter()
            .filter(|&&b| !std::mem::replace(&mut seen[b as usize], true))
            .count()
    };
    distinct >= 6
        && !contains(v, b"xxxxx")
        && !contains(v, b"XXXXX")
        && !contains(v, b"EXAMPLE")
        && !has_counting_run(v)
}

/// Not a mask (`xxxxx`, `####`, one character repeated); unlike
/// [`not_filler`], hand-typed runs (`abcdefg`, `EXAMPLE`) pass.
pub(crate) fn not_masked(v: &[u8]) -> bool {
    let mut seen = [false; 256];
    let distinct = v
        .iter()
        .filter(|&&b| !std::mem::replace(&mut seen[b as usize], true))
        .count();
    distinct >= 6
        && !contains(v, b"xxxxx")
        && !contains(v, b"XXXXX")
        && !v
            .windows(4)
            .any(|w| matches!(w[0], b'#' | b'*' | b'?') && w.iter().all(|&b| b == w[0]))
}

/// Seven characters counting up (`abcdefg`, `1234567`, `7890123`) or four
/// mask marks: typed by a person filling in an example
/// (`sk-ant-api03-abc123…klmnopqrstuvwx`, `xoxp-…-####`); about one chance
/// in 10^11 per position in a random base64 token.
pub(crate) fn has_counting_run(v: &[u8]) -> bool {
    let mut run = 1;
    let mut same = 1;
    for w in v.windows(2) {
        // Four mask marks (`####`, `****`): a mask, not a token. Letters
        // and digits repeat in real ones (Twitter bearer tokens start with
        // twenty `A`s, ids like `xoxa-2-511111111-…`), and so do `+` and
        // `/` in base64.
        same = if w[0] == w[1] { same + 1 } else { 1 };
        if same >= 4 && matches!(w[0], b'#' | b'*' | b'?') {
            return true;
        }
        let next = w[1] == w[0].wrapping_add(1)
            && w[0].is_ascii_alphanumeric()
            && w[1].is_ascii_alphanumeric();
        run = if next || (w[0] == b'9' && w[1] == b'0') {
            run + 1
        } else {
            1
        };
        if run >= 7 {
            return true;
        }
    }
    false
}

/// No ASCII letter at all: numbers (`4096`, `1.5e10`, a JSON literal position),
/// times, versions, ports. Never a secret worth a false positive.
pub(crate) fn has_no_letter(v: &[u8]) -> bool {
    !v.iter().any(u8::is_ascii_alphabetic)
}

/// Looks like a name rather than a random string: letters and `_ - . : /`
/// only, no digit, and few camel humps per part, as in `String`,
/// `SecretKeyProvider`, `process.env.DB_PASSWORD`, `YOUR_API_KEY`,
/// `same-origin`. Random tokens of 16+ letters almost always have a digit or
/// many case changes.
pub(crate) fn is_wordish(v: &[u8]) -> bool {
    if !v
        .iter()
        .all(|&b| b.is_ascii_alphabetic() || matches!(b, b'_' | b'-' | b'.' | b':' | b'/'))
    {
        return false;
    }
    v.split(|b| !b.is_ascii_alphabetic()).all(|seg| {
        // Names change case once per word (`validCIDR`, `getHTTPResponse`);
        // random letters change case every other character.
        let humps = seg
            .windows(2)
            .filter(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
            .count();
        humps * 4 <= seg.len()
    })
}

/// The shape of a random credential: long enough, not a placeholder, with a
/// letter, mixed character classes, Shannon entropy of at least 3 bits per
/// byte, and not a plain name.
pub(crate) fn looks_random(v: &[u8], min_len: usize) -> bool {
    looks_random_at(v, min_len, 3.0)
}

/// [`looks_random`] with another entropy floor.
pub(crate) fn looks_random_at(v: &[u8], min_len: usize, min_entropy: f64) -> bool {
    if v.len() < min_len || is_placeholder(v) || has_no_letter(v) || is_wordish(v) {
        return false;
    }
    let c = classes(v);
    c.count() >= 2 && entropy(v) >= min_entropy
}

/// Everything in `v` is in `set`.
pub(crate) fn all_in(v: &[u8], set: u16) -> bool {
    v.iter().all(|&b| is(b, set))
}

/// Length of an opening quote at `at`: `"`, `'`, `` ` ``, or a JSON-escaped
/// `"` at any nesting depth (`\"`, `\\\"`, ...), as a JSON string that
/// holds a command holding JSON writes it.
pub(crate) fn quote_len(input: &[u8], at: usize) -> Option<usize> {
    match input.get(at)? {
        b'"' | b'\'' | b'`' => Some(1),
        b'\\' => {
            let k = input[at..]
                .iter()
                .take(8)
                .take_while(|&&b| b == b'\\')
                .count();
            (k % 2 == 1 && input.get(at + k) == Some(&b'"')).then_some(k + 1)
        }
        _ => None,
    }
}

/// Length of a closing quote that ends at `end` (exclusive), mirroring [`quote_len`].
pub(crate) fn quote_len_before(input: &[u8], end: usize) -> Option<usize> {
    if end == 0 {
        return None;
    }
    match input[end - 1] {
        b'\'' | b'`' => Some(1),
        b'"' => {
            let k = input[..end - 1]
                .iter()
                .rev()
                .take(8)
                .take_while(|&&b| b == b'\\')
                .count();
            // An even run is escaped backslashes before a real quote: the
            // quote alone closes.
            Some(if k % 2 == 1 { k + 1 } else { 1 })
        }
        _ => None,
    }
}

/// `-1.5e+72`, `0x1F`: numbers (the `e` and `x` would pass the letter test),
/// including every bare value a JSON document can hold outside strings.
pub(crate) fn is_number(v: &[u8]) -> bool {
    let hex =
        (v.starts_with(b"0x") || v.starts_with(b"0X")) && v.len() > 2 && all_in(&v[2..], HEX_ANY);
    hex || (v.iter().any(u8::is_ascii_digit)
        && v.iter()
            .all(|&b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E')))
}
