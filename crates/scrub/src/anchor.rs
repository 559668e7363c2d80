//! Finding the next anchor byte: the only loop that touches every byte.
//!
//! An anchor is a byte where a rule can start looking: `_ - . : = ~`, the
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

/// Position of the first anchor at or after `from`.
#[inline]
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
        let n = input.len();
        let mut i = from;
        // Each step reads bytes i..i+17: the chunk and the byte after it.
        while i + 17 <= n {
            // SAFETY: i + 17 <= n, so both 16-byte unaligned loads at i and
            // i + 1 are within `input`; SSE2 is always available on x86_64.
            let mask = unsafe { chunk_mask(input.as_ptr().add(i)) };
            if mask != 0 {
                return Some(i + mask.trailing_zeros() as usize);
            }
            i += 16;
        }
        super::scalar_next_anchor(input, i)
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
            let rare = _mm_or_si128(_mm_or_si128(l, e), _mm_or_si128(z, close_tag));
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
    fn simd_agrees_with_definition() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let alphabet = b"_-.:=~ASdbBKaeE3ICLTZXA xyz\"\\</";
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
