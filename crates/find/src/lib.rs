//! Byte and substring search for the hook path, without CPU feature detection.
//!
//! `memchr`'s top-level functions pick AVX2 or SSE2 at their first call by
//! asking the CPU (std's detector runs `cpuid` for seven leaves). In a
//! virtual machine every `cpuid` is a trap to the hypervisor: about 4 µs
//! each on the 2-vCPU VM of BENCHMARKS.md, so one search cost a hook process
//! ~30 µs before it had looked at a byte, more than the whole scan of a 5 KB
//! error. SSE2 is part of x86_64 itself, so its routines need no question,
//! and on the few KB a hook searches AVX2 would not be measurably faster.
//! Elsewhere (aarch64's NEON is baseline too) `memchr` is used as it is.
//!
//! Semantics follow `memchr` and `memchr::memmem`: an empty needle matches
//! at 0, and [`find_iter`] reports non-overlapping matches.

#[cfg(target_arch = "x86_64")]
use memchr::arch::x86_64::sse2;

/// Position of the first `needle` byte in `hay`.
#[inline]
pub fn byte(needle: u8, hay: &[u8]) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    if let Some(one) = sse2::memchr::One::new(needle) {
        return one.find(hay);
    }
    #[cfg(not(target_arch = "x86_64"))]
    return memchr::memchr(needle, hay);
    #[allow(unreachable_code)]
    memchr::arch::all::memchr::One::new(needle).find(hay)
}

/// Positions of every `needle` byte in `hay`, in order.
pub fn byte_iter(needle: u8, hay: &[u8]) -> ByteIter<'_> {
    ByteIter { needle, hay, at: 0 }
}

pub struct ByteIter<'h> {
    needle: u8,
    hay: &'h [u8],
    at: usize,
}

impl Iterator for ByteIter<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let found = self.at + byte(self.needle, self.hay.get(self.at..)?)?;
        self.at = found + 1;
        Some(found)
    }
}

/// Position of the first occurrence of `needle` in `hay`.
pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    match needle.len() {
        0 => return Some(0),
        1 => return byte(needle[0], hay),
        n if n > hay.len() => return None,
        _ => {}
    }
    #[cfg(target_arch = "x86_64")]
    if let Some(pair) = sse2::packedpair::Finder::new(needle) {
        if hay.len() >= pair.min_haystack_len() {
            return pair.find(hay, needle);
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    return memchr::memmem::find(hay, needle);
    // Haystacks shorter than one SSE2 window plus the needle.
    #[allow(unreachable_code)]
    memchr::arch::all::rabinkarp::Finder::new(needle).find(hay, needle)
}

/// Position of the last occurrence of `needle` in `hay`.
pub fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    #[cfg(not(target_arch = "x86_64"))]
    return memchr::memmem::rfind(hay, needle);
    // Used on short windows only; Rabin-Karp needs no set-up to speak of.
    #[allow(unreachable_code)]
    memchr::arch::all::rabinkarp::FinderRev::new(needle).rfind(hay, needle)
}

/// Non-overlapping occurrences of `needle` in `hay`, in order.
pub fn find_iter<'a>(hay: &'a [u8], needle: &'a [u8]) -> FindIter<'a> {
    FindIter { hay, needle, at: 0 }
}

pub struct FindIter<'a> {
    hay: &'a [u8],
    needle: &'a [u8],
    at: usize,
}

impl Iterator for FindIter<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let found = self.at + find(self.hay.get(self.at..)?, self.needle)?;
        self.at = found + self.needle.len().max(1);
        Some(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn edges() {
        assert_eq!(find(b"abc", b""), Some(0));
        assert_eq!(find(b"", b"a"), None);
        assert_eq!(find(b"ab", b"abc"), None);
        assert_eq!(rfind(b"abcabc", b"bc"), Some(4));
        assert_eq!(rfind(b"abc", b""), Some(3));
        assert_eq!(byte_iter(b'\n', b"a\nb\n\n").collect::<Vec<_>>(), [1, 3, 4]);
        assert_eq!(find_iter(b"aaaa", b"aa").collect::<Vec<_>>(), [0, 2]);
        assert_eq!(find_iter(b"abc", b"").count(), 4);
        let long = [b"x".repeat(5000), b"needle".to_vec()].concat();
        assert_eq!(find(&long, b"needle"), Some(5000));
    }

    // Small alphabets make matches, near misses and overlaps common.
    fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(
            prop_oneof![Just(b'a'), Just(b'b'), Just(b'\n'), any::<u8>()],
            0..max,
        )
    }

    proptest! {
        #[test]
        fn same_as_memchr(hay in bytes(300), needle in bytes(6), b in any::<u8>()) {
            prop_assert_eq!(byte(b, &hay), memchr::memchr(b, &hay));
            prop_assert_eq!(byte_iter(b, &hay).collect::<Vec<_>>(), memchr::memchr_iter(b, &hay).collect::<Vec<_>>());
            prop_assert_eq!(find(&hay, &needle), memchr::memmem::find(&hay, &needle));
            prop_assert_eq!(rfind(&hay, &needle), memchr::memmem::rfind(&hay, &needle));
            prop_assert_eq!(
                find_iter(&hay, &needle).collect::<Vec<_>>(),
                memchr::memmem::find_iter(&hay, &needle).collect::<Vec<_>>()
            );
        }
    }
}
