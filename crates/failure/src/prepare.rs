//! One pass over the error text shared by the fingerprint and the classifier:
//! cap the size, split off Bash's `Exit code N` line and find the lines that
//! carry the failure ("signal" lines).
//!
//! Both consumers then work on a few hundred bytes of signal text instead of
//! the whole output, which is what keeps a 1 MB error in the same budget as a
//! 5 KB one.

use std::borrow::Cow;

use crate::command::{command_head, mcp_server_of};
use crate::Failure;

/// Bytes of the error kept from the start and from the end. Errors are mostly
/// at the start (the first compile error) or the end (summaries, tracebacks).
pub(crate) const HEAD_CAP: usize = 64 * 1024;
pub(crate) const TAIL_CAP: usize = 16 * 1024;
/// Bodies up to this size are classified whole: short tool errors often have
/// no keyword ("File has not been read yet").
const SMALL_BODY: usize = 2048;
/// Upper bound of the classification text built from signal lines.
const SIGNAL_CAP: usize = 16 * 1024;

pub(crate) struct Prepared<'a> {
    pub tool: &'a str,
    pub is_interrupt: bool,
    pub command: Option<&'a str>,
    pub head: Option<String>,
    pub mcp_server: Option<&'a str>,
    pub exit_code: Option<i64>,
    /// Capped error text with the `Exit code N` line removed.
    pub body: Cow<'a, str>,
    /// Classification text (signal lines, or the whole small body), '\n'-joined.
    pub raw: String,
    /// `raw` ASCII-lowercased: same byte offsets, so a match in `lower` can be
    /// sliced out of `raw` with its original case.
    pub lower: String,
    /// Byte ranges in `body` of the signal lines, in order (for the fingerprint).
    pub signal: Vec<(usize, usize)>,
    /// File name (not path) of a Read/Write/Edit target.
    pub file_name: Option<&'a str>,
    /// Which byte pairs occur in `lower`, six bits of each byte (4,096
    /// bits), see [`Prepared::has`].
    pairs: [u64; 64],
}

impl<'a> Prepared<'a> {
    pub fn new(f: &Failure<'a>) -> Prepared<'a> {
        let command = f
            .tool_input
            .and_then(|v| v.get("command"))
            .and_then(|c| c.as_str())
            .filter(|_| f.tool_name == "Bash");
        let head = command.and_then(command_head);
        let mcp_server = f.mcp_server.or_else(|| mcp_server_of(f.tool_name));
        let file_name = f
            .tool_input
            .and_then(|v| v.get("file_path").or_else(|| v.get("notebook_path")))
            .and_then(|p| p.as_str())
            .map(|p| p.trim_end_matches('/'))
            .map(|p| p.rsplit(['/', '\\']).next().unwrap_or(p))
            .filter(|n| !n.is_empty());

        let capped = cap(f.error);
        let (exit_code, body) = split_exit_code(capped);

        let mut signal = Vec::new();
        let mut lines = Vec::new();
        let bytes = body.as_bytes();
        let mut take = |s: usize, e: usize| {
            let line = &bytes[s..e];
            if line.iter().any(|c| !c.is_ascii_whitespace()) {
                lines.push((s, e));
                if is_signal(line) {
                    signal.push((s, e));
                }
            }
        };
        // SSE2 finds the line ends 16 bytes at a time; this runs in
        // every hook process on up to 16 KiB of output.
        let mut start = 0;
        for end in hookwatch_find::byte_iter(b'\n', bytes) {
            take(start, end);
            start = end + 1;
        }
        take(start, bytes.len());

        let mut raw = String::new();
        if body.len() <= SMALL_BODY {
            raw.push_str(body.trim());
        } else {
            // Signal lines plus the first and last lines, which name the
            // program and hold summaries that carry no keyword.
            let mut picked: Vec<(usize, usize)> = Vec::with_capacity(signal.len() + 8);
            picked.extend(lines.iter().take(3));
            picked.extend(signal.iter());
            picked.extend(lines.iter().skip(lines.len().saturating_sub(5)));
            picked.sort_unstable();
            picked.dedup();
            for (s, e) in picked {
                if raw.len() + (e - s) > SIGNAL_CAP {
                    break;
                }
                raw.push_str(&body[s..e]);
                raw.push('\n');
            }
        }
        let lower = raw.to_ascii_lowercase();
        let mut pairs = [0u64; 64];
        for w in lower.as_bytes().windows(2) {
            let i = pair_index(w[0], w[1]);
            pairs[i >> 6] |= 1 << (i & 63);
        }

        Prepared {
            tool: f.tool_name,
            is_interrupt: f.is_interrupt,
            command,
            head,
            mcp_server,
            exit_code,
            body,
            raw,
            lower,
            signal,
            file_name,
            pairs,
        }
    }

    /// The first word of the head (`cargo` of `cargo test`).
    pub fn prog(&self) -> &str {
        self.head
            .as_deref()
            .map(|h| h.split(' ').next().unwrap_or(h))
            .unwrap_or("")
    }

    /// Built-in rules ask a few hundred of these per failure, nearly all
    /// answered "no". A needle with a byte pair that occurs nowhere in the
    /// text cannot be in it: that check is a few table lookups instead of a
    /// scan of up to 16 KiB (on a 5 KB build log the whole analysis went from
    /// 795k to 580k instructions with it).
    pub fn has(&self, needle: &str) -> bool {
        let n = needle.as_bytes();
        let absent = n.windows(2).any(|w| {
            let i = pair_index(w[0], w[1]);
            self.pairs[i >> 6] & (1 << (i & 63)) == 0
        });
        !absent && hookwatch_find::find(self.lower.as_bytes(), n).is_some()
    }

    pub fn any(&self, needles: &[&str]) -> bool {
        needles.iter().any(|n| self.has(n))
    }

    pub fn lines(&self) -> impl Iterator<Item = &str> {
        self.lower.lines()
    }

    /// Body has no visible output (or only what `grep -c` prints for "none").
    pub fn body_blank(&self) -> bool {
        self.body.lines().all(|l| {
            let t = l.trim();
            t.is_empty() || t == "0"
        })
    }
}

/// Six bits of each byte: lower-case letters stay apart, and a digit or
/// punctuation mark that shares a letter's bits only makes the filter pass
/// more often. 512 bytes on the stack: the full 65,536-bit set cost a fresh
/// hook process two heap pages and an 8 KiB memset.
fn pair_index(a: u8, b: u8) -> usize {
    ((a & 63) as usize) << 6 | (b & 63) as usize
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// First `HEAD_CAP` and last `TAIL_CAP` bytes, on char boundaries.
pub(crate) fn cap(s: &str) -> Cow<'_, str> {
    if s.len() <= HEAD_CAP + TAIL_CAP {
        return Cow::Borrowed(s);
    }
    let h = floor_boundary(s, HEAD_CAP);
    let t = ceil_boundary(s, s.len() - TAIL_CAP);
    let mut out = String::with_capacity(h + (s.len() - t) + 1);
    out.push_str(&s[..h]);
    out.push('\n');
    out.push_str(&s[t..]);
    Cow::Owned(out)
}

/// Splits Bash's `Exit code N` first line off the error.
fn split_exit_code(s: Cow<'_, str>) -> (Option<i64>, Cow<'_, str>) {
    let t = s.trim_start();
    let t2 = t.strip_prefix("Error: ").unwrap_or(t);
    let Some(rest) = t2.strip_prefix("Exit code ") else {
        return (None, s);
    };
    let digits_end = rest
        .bytes()
        .position(|b| !(b.is_ascii_digit() || b == b'-'))
        .unwrap_or(rest.len());
    let Ok(code) = rest[..digits_end].parse::<i64>() else {
        return (None, s);
    };
    let after = &rest[digits_end..];
    let line_rest = after.find('\n').map_or("", |n| &after[n + 1..]);
    if !after[..after.find('\n').unwrap_or(after.len())]
        .trim()
        .is_empty()
    {
        return (None, s);
    }
    let offset = s.len() - line_rest.len();
    let body = match s {
        Cow::Borrowed(b) => Cow::Borrowed(&b[offset..]),
        Cow::Owned(o) => Cow::Owned(o[offset..].to_string()),
    };
    (Some(code), body)
}

/// Keywords that make a line a signal line (matched case-insensitively at
/// any position). Lowercase ASCII, at least three bytes, sorted (the index
/// below relies on it; a test checks).
const KEYWORDS: &[&[u8]] = &[
    b"abort",
    b"access",
    b"address already",
    b"assert",
    b"bad gateway",
    b"can't",
    b"cannot",
    b"certificate",
    b"command not",
    b"conflict",
    b"connect",
    b"could not",
    b"couldn't",
    b"crash",
    b"curl: (",
    b"daemon",
    b"deadline",
    b"denied",
    b"does not",
    b"eacces",
    b"eai_again",
    b"econn",
    b"eisdir",
    b"enoent",
    b"enotfound",
    b"eperm",
    b"erofs",
    b"err",
    b"etimedout",
    b"exception",
    b"exist",
    b"fail",
    b"fatal",
    b"forbidden",
    b"hang up",
    b"interrupt",
    b"invalid",
    b"killed",
    b"mcp",
    b"missing",
    b"modified since",
    b"module",
    b"name resolution",
    b"network",
    b"no module",
    b"no route",
    b"no rule",
    b"no such",
    b"non-fast-forward",
    b"not a ",
    b"not allowed",
    b"not been",
    b"not connected",
    b"not found",
    b"not installed",
    b"not permitted",
    b"oom",
    b"operation",
    b"out of memory",
    b"panic",
    b"permission",
    b"proxy",
    b"pull access",
    b"rate limit",
    b"read-only",
    b"refused",
    b"rejected",
    b"reset",
    b"resolve",
    b"segmentation",
    b"server error",
    b"sigkill",
    b"sigsegv",
    b"socket",
    b"spawn",
    b"ssl",
    b"syntax",
    b"test result",
    b"timed out",
    b"timeout",
    b"tls",
    b"too large",
    b"too many requests",
    b"traceback",
    b"unable",
    b"unauthorized",
    b"unavailable",
    b"undefined",
    b"unexpected",
    b"unknown",
    b"unmerged",
    b"unreachable",
    b"unrecognized",
    b"unresolved",
    b"x509",
];

/// 5 bits of a byte: enough to tell the letters of keywords apart.
const fn bits5(b: u8) -> usize {
    (b & 31) as usize
}

/// Bitset over the first three bytes (5 bits each) of every keyword, and of
/// every `:N:` / `:NN` that can start a location, built at compile time: the
/// scan tests one bit per byte and looks closer only where a keyword or a
/// location can start.
static TRIPLES: [u64; 512] = {
    const fn set(t: &mut [u64; 512], a: u8, b: u8, c: u8) {
        let idx = (bits5(a) << 10) | (bits5(b) << 5) | bits5(c);
        t[idx >> 6] |= 1 << (idx & 63);
    }
    let mut t = [0u64; 512];
    let mut k = 0;
    while k < KEYWORDS.len() {
        let kw = KEYWORDS[k];
        set(&mut t, kw[0], kw[1], kw[2]);
        k += 1;
    }
    let mut d = b'0';
    while d <= b'9' {
        let mut e = b'0';
        while e <= b'9' {
            set(&mut t, b':', d, e);
            e += 1;
        }
        set(&mut t, b':', d, b':');
        d += 1;
    }
    t
};

/// For each first byte, the range of `KEYWORDS` starting with it.
static FIRST: [(u8, u8); 256] = {
    let mut t = [(0u8, 0u8); 256];
    let mut k = 0;
    while k < KEYWORDS.len() {
        let c = KEYWORDS[k][0] as usize;
        if t[c].1 == 0 {
            t[c].0 = k as u8;
        }
        t[c].1 = k as u8 + 1;
        k += 1;
    }
    t
};

fn starts_ci(rest: &[u8], kw: &[u8]) -> bool {
    rest.len() >= kw.len() && rest[..kw.len()].eq_ignore_ascii_case(kw)
}

/// `:12:5` (compiler diagnostic location) starting at `rest[0] == b':'`.
pub(crate) fn is_location(rest: &[u8]) -> bool {
    let mut i = 1;
    let d1 = i;
    while i < rest.len() && rest[i].is_ascii_digit() {
        i += 1;
    }
    if i == d1 || rest.get(i) != Some(&b':') {
        return false;
    }
    rest.get(i + 1).is_some_and(u8::is_ascii_digit)
}

/// Whether a line says something about the failure (see [`KEYWORDS`], plus
/// `file:line:col` locations). One bit test per byte: this runs on every
/// line of up to 80 KiB of output in every failure's hook, and the loop is
/// kept this small (about a third of the instructions of a loop that also
/// tested for `:`) because it is most of the classifier's time.
pub(crate) fn is_signal(line: &[u8]) -> bool {
    if line.len() < 3 {
        return false;
    }
    // The 15-bit index of the three bytes starting at `i`, rolled one byte
    // at a time.
    let mut idx = (bits5(line[0]) << 5) | bits5(line[1]);
    for (i, &c) in line[2..].iter().enumerate() {
        idx = ((idx << 5) | bits5(c)) & 0x7fff;
        if TRIPLES[idx >> 6] & (1 << (idx & 63)) != 0 && signal_at(&line[i..]) {
            return true;
        }
    }
    false
}

/// The closer look where [`TRIPLES`] says a keyword or location may start.
#[inline(never)]
fn signal_at(rest: &[u8]) -> bool {
    if rest[0] == b':' {
        return is_location(rest);
    }
    // Bytes whose low five bits collide with a keyword's (`s/c` for
    // `soc`) and words that only start like one (`crates`, `Compiling`)
    // get this far: compare the exact second and third bytes before the
    // whole keyword. `rest` has at least three bytes (the triple's).
    let (b, c) = (rest[1].to_ascii_lowercase(), rest[2].to_ascii_lowercase());
    let (s, e) = FIRST[rest[0].to_ascii_lowercase() as usize];
    KEYWORDS[s as usize..e as usize]
        .iter()
        .any(|k| k[1] == b && k[2] == c && starts_ci(rest, k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_code_split() {
        let (c, b) = split_exit_code(Cow::Borrowed("Exit code 101\n   Compiling x\nerror"));
        assert_eq!(c, Some(101));
        assert_eq!(b, "   Compiling x\nerror");
        let (c, b) = split_exit_code(Cow::Borrowed("Exit code 1"));
        assert_eq!((c, b.as_ref()), (Some(1), ""));
        let (c, _) = split_exit_code(Cow::Borrowed("Exit code soon"));
        assert_eq!(c, None);
        let (c, _) = split_exit_code(Cow::Borrowed("File does not exist."));
        assert_eq!(c, None);
    }

    #[test]
    fn cap_keeps_boundaries() {
        let s = "é".repeat(100_000);
        let c = cap(&s);
        assert!(c.len() <= HEAD_CAP + TAIL_CAP + 1);
    }

    #[test]
    fn keyword_table_is_sorted_lowercase() {
        assert!(KEYWORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(KEYWORDS
            .iter()
            .all(|k| k.len() >= 3 && !k.iter().any(u8::is_ascii_uppercase)));
        assert!(KEYWORDS.len() < 256);
    }

    /// The definition `is_signal` implements, the slow way.
    fn is_signal_reference(line: &[u8]) -> bool {
        (0..line.len()).any(|i| {
            let rest = &line[i..];
            (rest[0] == b':' && is_location(rest)) || KEYWORDS.iter().any(|k| starts_ci(rest, k))
        })
    }

    #[test]
    fn signal_scan_matches_its_definition() {
        // Keyword pieces, digits, colons and bytes whose low five bits
        // collide with letters' (digits, `:`, `@`, upper case) make near
        // misses common.
        let pieces: &[&[u8]] = &[
            b"err",
            b"ERR",
            b"fai",
            b"not ",
            b"not found",
            b":",
            b"1",
            b"12",
            b"@",
            b"z",
            b"con",
            b"conn",
            b"Connect",
            b"x509",
            b"oo",
            b"m",
            b" ",
            b"\xff",
            b"mcp",
            b"tl",
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..20_000 {
            let mut line = Vec::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let n = (seed % 9) as usize;
            for j in 0..n {
                line.extend_from_slice(
                    pieces[((seed >> (j * 5 + 8)) % pieces.len() as u64) as usize],
                );
            }
            assert_eq!(
                is_signal(&line),
                is_signal_reference(&line),
                "{:?}",
                String::from_utf8_lossy(&line)
            );
        }
        for kw in KEYWORDS {
            assert!(is_signal(kw));
            assert!(is_signal(&[b"x ", *kw, b" y"].concat()));
        }
    }

    #[test]
    fn signals() {
        assert!(is_signal(b"error[E0425]: cannot find value"));
        assert!(is_signal(b"./main.go:3:2: x declared and not used"));
        assert!(is_signal(b"npm ERR! code ENOENT"));
        assert!(!is_signal(b"   Compiling shop v0.1.0 (/work/shop)"));
        assert!(!is_signal(b"test tests::ok ... ok"));
    }
}
