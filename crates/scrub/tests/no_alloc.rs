//! The common case (nothing found) must not allocate: the hook pays for every
//! allocation in every process. A counting global allocator checks it, on
//! text full of near misses (the hard-negative corpus, Rust-like code).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn clean_input_is_scrubbed_without_allocating() {
    let negatives = include_str!("corpus/negatives.txt").replace('⏎', "\n");
    let code = r#"
        let token = lexer.next_token()?;
        let password = config.password.clone();
        pub const TOKEN_HEADER: &str = "x-auth-token";
        if secret == expected { return Ok(()) }
        headers.insert("Authorization", format!("Bearer {}", self.token));
        let api_key: Option<String> = None;
        curl -u "$USER:$TOKEN" https://ci.acme.io && docker login -u bot -p $PASS ghcr.io
        if line.starts_with("-----BEGIN RSA PRIVATE KEY-----") { return Kind::Pem }
        max_tokens: 4096, input_tokens: 12034, "session_id": "3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
    "#;
    for input in [negatives.as_str(), code] {
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        // Only this thread allocates between the two loads: the test harness
        // runs this file's single test on its own thread and waits.
        let out = hookwatch_scrub::scrub(input.as_bytes());
        let after = ALLOCATIONS.load(Ordering::Relaxed);
        assert!(
            matches!(out, std::borrow::Cow::Borrowed(_)),
            "found something in clean input"
        );
        assert_eq!(after - before, 0, "allocated while finding nothing");
    }
}
