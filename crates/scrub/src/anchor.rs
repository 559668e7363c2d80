//! Finding the next anchor byte: the only loop that touches every byte.
//!
//! An anchor is a byte where a rule can start looking: `_ - . : = ~`, a
//! digit before `|`, a quote before `,`, the
//! first two letters of a prefix without a separator (`AK`, `AS`, `AB`,
//! `AC`, `A3`, `AI`, `AT`, `SK`, `da`, `be`/`Be`/`BE`, `LT`, `EZ`, `EA`,
//! `ZX`), or the `</` of an XML closing tag. Checking the second byte here,
//! 16 bytes at a time, keeps common letters (and `<` of generics and
//! comparisons) from stopping the scan.
//! [`is_anchor`] is the definition; the SSE2 path must agree with it
//! (tested).

/// The definition, one position at a time.
#[inline]
pub(crate) fn is_anchor(input: &[u8], i: usize) -> bool {
    let second = input.get(i + 1).copied().unwrap_or(0);
    match input[i] {
        b'_' | b'-' | b'.' | b':' | b'=' | b'~' => true,
        b'0'..=b'9' => second == b'|',
        b'"' | b'\'' => second == b',',
        b'A' => matches!(second, b'K' | b'S' | b'B' | b'C' | b'3' | b'I' | b'T'),
        b'S' => second == b'K',
        b'L' => second == b'T',
        b'E' => matches!(second, b'Z' | b'A'),
        b'Z' => second == b'X',
        b'd' => second == b'a',
        b'b' | b'B' => second | 0x20 == b'e',
        b'<' => second == b'/',
        _ => false,
    }
}

/// The anchors of one input in order. It keeps the last 16-byte chunk's
/// mask, so the anchors after the first in a chunk cost a bit operation
/// each rather than a new scan of the chunk (code and JSON have an anchor
/// every 20 bytes or so).
pub(crate) struct Anchors {
    /// Start of the chunk `mask` describes, and its end (`base + 16`; 0
    /// when there is none).
    base: usize,
    end: usize,
    mask: u32,
}

impl Anchors {
    pub(crate) fn new() -> Anchors {
        Anchors {
            base: 0,
            end: 0,
            mask: 0,
        }
    }

    /// The first anchor at or after `from`; `from` never goes back.
    #[inline]
    pub(crate) fn next(&mut self, input: &[u8], mut from: usize) -> Option<usize> {
        if from < self.end {
            let rest = self.mask & (u32::MAX << (from - self.base));
            if rest != 0 {
                return Some(self.base + rest.trailing_zeros() as usize);
            }
            from = self.end;
        }
        #[cfg(target_arch = "x86_64")]
        {
            let (at, chunk) = simd::scan(input, from);
            match chunk {
                Some((base, mask)) => (self.base, self.end, self.mask) = (base, base + 16, mask),
                None => self.end = 0,
            }
            at
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            scalar_next_anchor(input, from)
        }
    }
}

/// Position of the first anchor at or after `from`.
#[inline]
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn next_anchor(input: &[u8], from: usize) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    {
        simd::next_anchor(input, from)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        scalar_next_anchor(input, from)
    }
}

pub(crate) fn scalar_next_anchor(input: &[u8], from: usize) -> Option<usize> {
    (from..input.len()).find(|&i| is_anchor(input, i))
}

#[cfg(target_arch = "x86_64")]
mod simd {
    use std::arch::x86_64::*;

    /// SSE2 is part of the x86_64 baseline, so no runtime detection is
    /// needed (and none is paid for at start-up).
    pub(super) fn next_anchor(input: &[u8], from: usize) -> Option<usize> {
        scan(input, from).0
    }

    /// The first anchor at or after `from`, and the chunk (start, mask) it
    /// was found in when it was found 16 bytes at a time.
    #[inline]
    #[allow(clippy::type_complexity)]
    pub(super) fn scan(input: &[u8], from: usize) -> (Option<usize>, Option<(usize, u32)>) {
        let n = input.len();
        let mut i = from;
        // Each step reads bytes i..i+17: the chunk and the byte after it.
        while i + 17 <= n {
            // SAFETY: i + 17 <= n, so both 16-byte unaligned loads at i and
            // i + 1 are within `input`; SSE2 is always available on x86_64.
            let mask = unsafe { chunk_mask(input.as_ptr().add(i)) };
            if mask != 0 {
                return (Some(i + mask.trailing_zeros() as usize), Some((i, mask)));
            }
            i += 16;
        }
        (super::scalar_next_anchor(input, i), None)
    }

    /// Bit k set when byte k of the 16 at `p` is an anchor (same rules as
    /// `is_anchor`, with byte k + 1 as the second letter).
    #[inline]
    unsafe fn chunk_mask(p: *const u8) -> u32 {
        unsafe {
            let c = _mm_loadu_si128(p.cast());
            let nx = _mm_loadu_si128(p.add(1).cast());
            let eq = |v: __m128i, b: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8));
            let punct = _mm_or_si128(
                _mm_or_si128(_mm_or_si128(eq(c, b'_'), eq(c, b'-')), eq(c, b'~')),
                _mm_or_si128(_mm_or_si128(eq(c, b'.'), eq(c, b':')), eq(c, b'=')),
            );
            let after_a = _mm_or_si128(
                _mm_or_si128(
                    _mm_or_si128(eq(nx, b'K'), eq(nx, b'S')),
                    _mm_or_si128(eq(nx, b'B'), eq(nx, b'C')),
                ),
                _mm_or_si128(_mm_or_si128(eq(nx, b'3'), eq(nx, b'I')), eq(nx, b'T')),
            );
            let a = _mm_and_si128(eq(c, b'A'), after_a);
            let s = _mm_and_si128(eq(c, b'S'), eq(nx, b'K'));
            let d = _mm_and_si128(eq(c, b'd'), eq(nx, b'a'));
            let lower = _mm_set1_epi8(0x20);
            let b = _mm_and_si128(
                eq(_mm_or_si128(c, lower), b'b'),
                eq(_mm_or_si128(nx, lower), b'e'),
            );
            let l = _mm_and_si128(eq(c, b'L'), eq(nx, b'T'));
            let e = _mm_and_si128(eq(c, b'E'), _mm_or_si128(eq(nx, b'Z'), eq(nx, b'A')));
            let z = _mm_and_si128(eq(c, b'Z'), eq(nx, b'X'));
            let close_tag = _mm_and_si128(eq(c, b'<'), eq(nx, b'/'));
            // A digit (c - '0' is at most 9, unsigned) before `|`; a quote
            // before `,`.
            let from_zero = _mm_sub_epi8(c, _mm_set1_epi8(b'0' as i8));
            let digit = _mm_cmpeq_epi8(_mm_min_epu8(from_zero, _mm_set1_epi8(9)), from_zero);
            let pipe = _mm_and_si128(digit, eq(nx, b'|'));
            let quote = _mm_or_si128(eq(c, b'"'), eq(c, b'\''));
            let list = _mm_or_si128(pipe, _mm_and_si128(quote, eq(nx, b',')));
            let rare = _mm_or_si128(
                _mm_or_si128(l, e),
                _mm_or_si128(z, _mm_or_si128(close_tag, list)),
            );
            let any = _mm_or_si128(
                _mm_or_si128(_mm_or_si128(punct, a), _mm_or_si128(_mm_or_si128(s, d), b)),
                rare,
            );
            _mm_movemask_epi8(any) as u32
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SIMD path and the definition agree at every offset, including
    /// the tail shorter than a chunk.
    #[test]
    fn anchors_agree_with_definition_at_any_resume_point() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut rand = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let alphabet = b"_-.:=~|,'09ASdbBKaeE3ICLTZXA xyz\"\\</";
        for len in 0..300 {
            let input: Vec<u8> = (0..len)
                .map(|_| alphabet[(rand() % alphabet.len() as u64) as usize])
                .collect();
            let mut anchors = Anchors::new();
            let mut from = 0;
            loop {
                let got = anchors.next(&input, from);
                assert_eq!(
                    got,
                    scalar_next_anchor(&input, from),
                    "{input:?} from {from}"
                );
                let Some(at) = got else { break };
                // Resume right after it, or skip ahead as after a redaction.
                from = at + 1 + (rand() % 4 == 0) as usize * (rand() % 40) as usize;
            }
        }
    }

    #[test]
    fn simd_agrees_with_definition() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let alphabet = b"_-.:=~|,'09ASdbBKaeE3ICLTZXA xyz\"\\</";
        for len in 0..200 {
            let input: Vec<u8> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    alphabet[(state % alphabet.len() as u64) as usize]
                })
                .collect();
            for from in 0..=len {
                assert_eq!(
                    next_anchor(&input, from),
                    scalar_next_anchor(&input, from),
                    "{input:?} from {from}"
                );
            }
        }
    }
}
