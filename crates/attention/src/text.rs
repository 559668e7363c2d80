//! What people read: markdown stripped to plain text, excerpts cut on a
//! word, short session names, durations.

/// `45s`, `1m 30s`, `2h 5m`: the same words the notifications use.
pub fn duration(us: i64) -> String {
    hookwatch_sink::duration_text(us / 1000)
}

/// Markdown as a notification shows it: no fences, headings, emphasis,
/// link targets or table rules; list items keep a bullet. Line breaks are
/// kept (at most one blank line in a row).
pub fn strip_markdown(s: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut in_fence = false;
    for line in s.lines() {
        let t = line.trim();
        if t.starts_with("```") || t.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            out.push(line.trim_end().to_string());
            continue;
        }
        // Table rules (|---|:--:|) say nothing.
        if !t.is_empty() && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ')) && t.contains('-')
        {
            continue;
        }
        let mut t = t.trim_start_matches('>').trim_start();
        let heading = t.trim_start_matches('#');
        if heading.len() < t.len() && (heading.starts_with(' ') || heading.is_empty()) {
            t = heading.trim_start();
        }
        let (bullet, rest) = match t.split_once(' ') {
            Some(("-" | "*" | "+", rest)) => ("• ", rest),
            _ => ("", t),
        };
        let line = format!("{bullet}{}", inline(rest));
        if line.is_empty() && out.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        out.push(line);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out.join("\n")
}

/// Inline markdown: `code`, **bold**, *em*, __bold__, [text](url), ![alt](src).
fn inline(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'`' => {
                i += 1;
                continue;
            }
            b'!' if b.get(i + 1) == Some(&b'[') => {
                i += 1;
                continue;
            }
            b'[' => {
                if let Some(close) = s[i..].find("](") {
                    let text_end = i + close;
                    if let Some(paren) = s[text_end + 2..].find(')') {
                        out.push_str(&inline(&s[i + 1..text_end]));
                        i = text_end + 2 + paren + 1;
                        continue;
                    }
                }
            }
            b'*' | b'_' => {
                // Emphasis markers: runs of * or _ next to a word. A lone
                // `*` between spaces (2 * 3) and snake_case stay.
                let run = b[i..].iter().take_while(|&&c| c == b[i]).count();
                let before = i.checked_sub(1).map(|j| b[j]);
                let after = b.get(i + run).copied();
                let word = |c: Option<u8>| c.is_some_and(|c| c.is_ascii_alphanumeric());
                let opens = !word(before) && after.is_some_and(|c| !c.is_ascii_whitespace());
                let closes = !word(after) && before.is_some_and(|c| !c.is_ascii_whitespace());
                if opens || closes {
                    i += run;
                    continue;
                }
            }
            _ => {}
        }
        let ch = s[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// At most `max` characters, cut at a word when one is near, ending in "…".
pub fn excerpt(s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max.saturating_sub(1)).collect();
    let at_word = match cut.rfind(char::is_whitespace) {
        Some(i) if i > cut.len() * 3 / 4 => cut[..i].trim_end().to_string(),
        _ => cut,
    };
    format!("{at_word}…")
}

/// A short name for a session from its first prompt: "fix-login-bug".
/// None when the prompt has no words to take.
pub fn session_name(first_prompt: &str) -> Option<String> {
    const SKIP: &[&str] = &[
        "a", "an", "the", "please", "can", "could", "would", "you", "i", "we", "to", "of", "and",
        "or", "in", "on", "for", "me", "my", "our", "is", "it", "this", "that", "with", "hi",
        "hey", "hello", "pls", "let's", "lets", "now", "just", "some", "be", "are",
    ];
    // A redaction marker is not a name.
    let mut prompt = first_prompt.to_string();
    while let Some(start) = prompt.find("[REDACTED") {
        let end = prompt[start..]
            .find(']')
            .map_or(prompt.len(), |e| start + e + 1);
        prompt.replace_range(start..end, " ");
    }
    let mut words = Vec::new();
    let mut len = 0;
    for w in prompt
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .map(|w| w.trim_matches('\'').to_lowercase())
        .filter(|w| !w.is_empty() && !SKIP.contains(&w.as_str()))
        // Nor is a hash or a long identifier.
        .filter(|w| w.chars().count() <= 20)
    {
        if words.len() == 4 || len + w.len() > 32 {
            break;
        }
        len += w.len() + 1;
        words.push(w);
    }
    (!words.is_empty()).then(|| words.join("-"))
}

/// The last path component: "myproj" for /home/me/src/myproj/.
pub fn project_name(path: &str) -> &str {
    let p = path.trim_end_matches('/');
    p.rsplit('/').next().filter(|s| !s.is_empty()).unwrap_or(p)
}

/// Fill a title template: `{project}`, `{session}`, `{branch}`, `{cause}`.
pub fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (k, v) in vars {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration(4_600_000), "4s");
        assert_eq!(duration(90_000_000), "1m 30s");
        assert_eq!(duration(120_000_000), "2m");
        assert_eq!(duration(7_500_000_000), "2h 5m");
        assert_eq!(duration(7_200_000_000), "2h");
    }

    #[test]
    fn markdown_becomes_plain_text() {
        let md = "## Done\n\nI fixed **the login bug** in `auth.rs`:\n\n- added a *check*\n- see [the docs](https://x.test/d)\n\n```rust\nfn main() {}\n```\n| a | b |\n|---|---|\n| 1 | 2 |\n> quoted";
        assert_eq!(
            strip_markdown(md),
            "Done\n\nI fixed the login bug in auth.rs:\n\n• added a check\n• see the docs\n\nfn main() {}\n| a | b |\n| 1 | 2 |\nquoted"
        );
        assert_eq!(
            strip_markdown("2 * 3 = 6, snake_case_name"),
            "2 * 3 = 6, snake_case_name"
        );
    }

    #[test]
    fn excerpts_and_names() {
        assert_eq!(excerpt("short", 10), "short");
        let e = excerpt("the quick brown fox jumps over the lazy dog", 20);
        assert!(e.chars().count() <= 20 && e.ends_with('…'), "{e}");
        assert_eq!(
            session_name("Please fix the login bug in auth.rs").as_deref(),
            Some("fix-login-bug-auth")
        );
        assert_eq!(session_name("  ?? ").as_deref(), None);
        assert_eq!(
            session_name("Use key [REDACTED:github-pat] now").as_deref(),
            Some("use-key")
        );
        assert_eq!(project_name("/home/me/src/myproj/"), "myproj");
        assert_eq!(
            fill("{project}: {cause}", &[("project", "p"), ("cause", "Stop")]),
            "p: Stop"
        );
    }
}
