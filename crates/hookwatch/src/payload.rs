//! The stored-size cap. An event over the cap is kept as valid JSON with the
//! same shape: its longest strings are cut in the middle (head and tail kept,
//! since errors usually show up at the end of tool output), so queries and
//! columns still work on a truncated event.

use serde_json::Value;

/// Text put where a string was cut.
fn marker(cut: usize) -> String {
    format!(" …[hookwatch: {cut} bytes cut]… ")
}

/// Serialise `value` in at most `cap` bytes. Returns the bytes and whether
/// anything was cut.
/// `size` is the length of `value` serialised (the caller has those bytes
/// already; re-serialising a 50 MB event only to measure it is waste).
pub fn shrink(mut value: Value, size: usize, cap: usize) -> (Vec<u8>, bool) {
    if size <= cap {
        return (serde_json::to_vec(&value).unwrap_or_default(), false);
    }
    let mut lens = Vec::new();
    string_lens(&value, &mut lens);
    let strings: usize = lens.iter().sum();
    let other = size.saturating_sub(strings);
    // Largest per-string limit whose estimated total fits; escapes make the
    // estimate low, so shrink further until the real output fits.
    let fits = |limit: usize| other + lens.iter().map(|&l| l.min(limit + 48)).sum::<usize>() <= cap;
    let (mut lo, mut hi) = (0usize, lens.iter().copied().max().unwrap_or(0));
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if fits(mid) {
            lo = mid
        } else {
            hi = mid - 1
        }
    }
    let mut limit = lo;
    // The first cut happens in place, so later attempts clone a value that
    // is already about the size of the cap, not the original.
    if limit >= 64 {
        cut_strings(&mut value, limit);
    }
    for _ in 0..8 {
        if limit < 64 {
            break;
        }
        let mut v = value.clone();
        cut_strings(&mut v, limit);
        let out = serde_json::to_vec(&v).unwrap_or_default();
        if out.len() <= cap {
            return (out, true);
        }
        limit = limit * 2 / 3;
    }
    // Too many small parts to fit by cutting strings (huge arrays): keep
    // the scalar top-level fields, which hold everything the columns need.
    if let Value::Object(map) = &mut value {
        map.retain(|_, v| !matches!(v, Value::Array(_) | Value::Object(_)));
        cut_strings(&mut value, 256);
        map_insert_note(&mut value);
        let out = serde_json::to_vec(&value).unwrap_or_default();
        if out.len() <= cap {
            return (out, true);
        }
    }
    (
        serde_json::to_vec(
            &serde_json::json!({ "_hookwatch": "event too large to keep even truncated" }),
        )
        .unwrap_or_default(),
        true,
    )
}

fn map_insert_note(v: &mut Value) {
    if let Value::Object(m) = v {
        m.insert(
            "_hookwatch".into(),
            Value::String("arrays and objects dropped to fit the size cap".into()),
        );
    }
}

fn string_lens(v: &Value, out: &mut Vec<usize>) {
    match v {
        Value::String(s) => out.push(s.len()),
        Value::Array(a) => a.iter().for_each(|x| string_lens(x, out)),
        Value::Object(m) => m.iter().for_each(|(k, x)| {
            out.push(k.len());
            string_lens(x, out)
        }),
        _ => {}
    }
}

fn cut_strings(v: &mut Value, limit: usize) {
    match v {
        Value::String(s) if s.len() > limit => *s = cut(s, limit),
        Value::Array(a) => a.iter_mut().for_each(|x| cut_strings(x, limit)),
        Value::Object(m) => m.values_mut().for_each(|x| cut_strings(x, limit)),
        _ => {}
    }
}

/// Keep 3/4 of `limit` from the head and 1/4 from the tail, on char boundaries.
fn cut(s: &str, limit: usize) -> String {
    let head = floor_char(s, limit * 3 / 4);
    let tail = ceil_char(s, s.len() - limit / 4);
    let mut out = String::with_capacity(limit + 48);
    out.push_str(&s[..head]);
    out.push_str(&marker(tail - head));
    out.push_str(&s[tail..]);
    out
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Byte truncation for input that is not JSON.
pub fn shrink_raw(raw: &[u8], cap: usize) -> (&[u8], bool) {
    if raw.len() <= cap {
        (raw, false)
    } else {
        (&raw[..cap], true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn small_values_are_untouched() {
        let v = json!({"a": "b"});
        assert_eq!(
            shrink(v.clone(), 9, 100),
            (serde_json::to_vec(&v).unwrap(), false)
        );
    }

    #[test]
    fn a_huge_string_is_cut_keeping_head_tail_and_shape() {
        let big = format!("HEAD{}TAIL", "x".repeat(1_000_000));
        let v = json!({"hook_event_name": "PostToolUse", "session_id": "s", "tool_response": {"stdout": big}});
        let n = serde_json::to_vec(&v).unwrap().len();
        let (out, cut) = shrink(v, n, 256 * 1024);
        assert!(cut);
        assert!(out.len() <= 256 * 1024);
        let back: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(back["hook_event_name"], "PostToolUse");
        let s = back["tool_response"]["stdout"].as_str().unwrap();
        assert!(s.starts_with("HEAD") && s.ends_with("TAIL") && s.contains("bytes cut"));
    }

    #[test]
    fn escapes_and_multibyte_text_still_fit() {
        let v = json!({"a": "\"\\\n".repeat(200_000), "b": "é漢🎉".repeat(50_000)});
        let n = serde_json::to_vec(&v).unwrap().len();
        let (out, _) = shrink(v, n, 8192);
        assert!(out.len() <= 8192, "{}", out.len());
        serde_json::from_slice::<Value>(&out).unwrap();
    }

    #[test]
    fn huge_arrays_of_small_items_fall_back_to_scalars() {
        let v = json!({"hook_event_name": "PostToolBatch", "session_id": "s", "tool_calls": vec![1; 500_000]});
        let n = serde_json::to_vec(&v).unwrap().len();
        let (out, _) = shrink(v, n, 8192);
        let back: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(back["session_id"], "s");
        assert!(out.len() <= 8192);
    }
}
