//! Secrets that a URL carries by position: the password of
//! `scheme://user:password@host`, the key of a Sentry DSN, and the paths of
//! Slack, Discord and Teams webhooks.

use crate::rules::Rule;
use crate::shape::*;
use crate::Hit;

/// `colon..colon + sep_len` is `://` (or `:\/\/`).
pub(crate) fn scan(input: &[u8], colon: usize, sep_len: usize, out: &mut Vec<Hit>) {
    let scheme_start = run_start(input, colon, ALNUM | DASH | DOT | PLUS_SLASH);
    if scheme_start == colon || !input[scheme_start].is_ascii_alphabetic() {
        return;
    }
    let auth_start = colon + sep_len;
    let n = input.len();
    let mut j = auth_start;
    let mut last_at = None;
    while j < n && j - auth_start < 512 {
        // The authority ends at the path, query, or anything that cannot be
        // in a URL. Not at `#`: RFC 3986 says it would, but people put `#` in
        // DSN passwords anyway, and stopping there would leak the rest.
        match input[j] {
            b'@' => last_at = Some(j),
            b'/' | b'?' | b'"' | b'\'' | b'`' | b'\\' | b'<' | b'>' | b'(' | b')' | b'[' | b']'
            | b'{' | b'}' | b',' | b';' | b'|' | b'^' => break,
            b if b <= b' ' || b == 0x7f => break,
            _ => {}
        }
        j += 1;
    }
    match last_at {
        Some(at) => userinfo(input, auth_start, at, j, out),
        None => webhook(input, &input[auth_start..j], j, out),
    }
}

fn userinfo(input: &[u8], start: usize, at: usize, authority_end: usize, out: &mut Vec<Hit>) {
    let info = &input[start..at];
    let host = &input[at + 1..authority_end];
    // `user:pw@` must be followed by a host (or an IPv6 literal, which ended the scan).
    let host_ok =
        host.first().is_some_and(|b| b.is_ascii_alphanumeric()) || input.get(at + 1) == Some(&b'[');
    if !host_ok {
        return;
    }
    if let Some(c) = info.iter().position(|&b| b == b':') {
        let pw = &info[c + 1..];
        // Sample words are redacted too (`user:password@db` in a config is as
        // likely real as not) unless the host is a documentation host as
        // well: `https://user:pass@example.com` is an RFC's example. Template
        // variables are never secrets. A second colon is CVS's
        // `:pserver:user@host`, not a password.
        let sample = is_placeholder(pw) && is_example_host(host);
        if !pw.is_empty() && !is_template(pw) && !sample && !pw.contains(&b':') {
            out.push(Hit {
                start: start + c + 1,
                end: at,
                rule: Rule::UrlPassword,
            });
        }
        return;
    }
    // A DSN's public key is enough to send events to the project.
    if info.len() == 32 && all_in(info, HEX_LOWER) {
        let path_is_project = {
            let rest = &input[authority_end..];
            rest.first() == Some(&b'/') && {
                let d = rest[1..].iter().take_while(|b| b.is_ascii_digit()).count();
                d > 0
                    && rest
                        .get(1 + d)
                        .is_none_or(|&b| !is_alnum(b) && b != b'/' && b != b'.')
            }
        };
        if contains(host, b"sentry") || path_is_project {
            out.push(Hit {
                start,
                end: at,
                rule: Rule::SentryDsn,
            });
        }
    }
}

/// Webhook URLs have no userinfo: the secret is the path.
pub(crate) fn webhook(input: &[u8], host: &[u8], path_start: usize, out: &mut Vec<Hit>) {
    let path_at = |lit: &[u8]| starts_with_at(input, path_start, lit);
    const PATH: u16 = ALNUM | DASH | UNDERSCORE | PLUS_SLASH;
    if host == b"hooks.slack.com" {
        for kind in [&b"/services/"[..], b"/workflows/", b"/triggers/"] {
            if path_at(kind) {
                let s = path_start + kind.len();
                let e = run_end(input, s, PATH);
                if e - s >= 20
                    && e - s <= 256
                    && not_filler(&input[s..e])
                    // T…/B…/secret; the secret alone when quoted apart.
                    && (input[s..e].contains(&b'/') || (40..=60).contains(&(e - s)))
                {
                    out.push(Hit {
                        start: s,
                        end: e,
                        rule: Rule::SlackWebhookUrl,
                    });
                }
                return;
            }
        }
    } else if matches!(
        host,
        b"discord.com"
            | b"discordapp.com"
            | b"canary.discord.com"
            | b"ptb.discord.com"
            | b"www.discord.com"
    ) {
        let mut s = path_start;
        if !starts_with_at(input, s, b"/api/") {
            return;
        }
        s += 5;
        // Optional API version: /api/v10/webhooks/...
        if input.get(s) == Some(&b'v') {
            let d = run_end(input, s + 1, ALNUM);
            if d > s + 1
                && input[s + 1..d].iter().all(u8::is_ascii_digit)
                && input.get(d) == Some(&b'/')
            {
                s = d + 1;
            }
        }
        if !starts_with_at(input, s, b"webhooks/") {
            return;
        }
        s += 9;
        let id_end = s + input[s..].iter().take_while(|b| b.is_ascii_digit()).count();
        if !(5..=25).contains(&(id_end - s)) || input.get(id_end) != Some(&b'/') {
            return;
        }
        let e = run_end(input, id_end + 1, B64URL);
        if e - id_end > 40 && not_filler(&input[id_end + 1..e]) {
            out.push(Hit {
                start: s,
                end: e,
                rule: Rule::DiscordWebhookUrl,
            });
        }
    } else if host.ends_with(b".webhook.office.com")
        && starts_with_at(input, path_start, b"/webhookb2/")
    {
        let s = path_start + 11;
        // `@` joins the two GUIDs of the path.
        let mut e = s;
        while e < input.len() && (is(input[e], PATH) || input[e] == b'@') {
            e += 1;
        }
        if e - s >= 40 {
            out.push(Hit {
                start: s,
                end: e,
                rule: Rule::TeamsWebhookUrl,
            });
        }
    }
}

/// RFC 2606 documentation hosts.
fn is_example_host(host: &[u8]) -> bool {
    let host = match host.iter().position(|&b| b == b':') {
        Some(p) => &host[..p],
        None => host,
    };
    [
        &b"example.com"[..],
        b"example.org",
        b"example.net",
        b".example",
        b".test",
        b".invalid",
    ]
    .iter()
    .any(|suffix| host.ends_with(suffix))
}
