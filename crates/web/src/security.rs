//! Who may talk to the dashboard: the Host header (against DNS
//! rebinding), the access token (required off loopback), the CSRF token of
//! every state change, and the headers every response carries.

use std::net::{IpAddr, SocketAddr};

/// Random hex from the kernel (for the access and CSRF tokens).
pub fn random_hex(bytes: usize) -> std::io::Result<String> {
    use std::io::Read;
    let mut buf = vec![0u8; bytes];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut buf)?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// Equal without an early exit, so a token is not guessed byte by byte
/// from response times.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The Host header values the server answers to: loopback names and the
/// bound address at its port, and any names the user allowed.
pub struct Hosts {
    allowed: Vec<String>,
}

impl Hosts {
    pub fn new(addr: SocketAddr, extra: &[String]) -> Hosts {
        let port = addr.port();
        let mut allowed = vec![
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("[::1]:{port}"),
        ];
        match addr.ip() {
            IpAddr::V4(ip) if !ip.is_unspecified() => allowed.push(format!("{ip}:{port}")),
            IpAddr::V6(ip) if !ip.is_unspecified() => allowed.push(format!("[{ip}]:{port}")),
            _ => {}
        }
        for name in extra {
            if name.contains(':') && !name.starts_with('[') {
                allowed.push(name.to_ascii_lowercase());
            } else {
                allowed.push(format!("{}:{port}", name.to_ascii_lowercase()));
            }
        }
        Hosts { allowed }
    }

    pub fn allows(&self, host: Option<&str>) -> bool {
        host.is_some_and(|h| {
            let h = h.trim().to_ascii_lowercase();
            self.allowed.contains(&h)
        })
    }

    /// An `Origin` header (scheme://host:port) of one of the allowed hosts.
    pub fn allows_origin(&self, origin: &str) -> bool {
        let host = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"));
        self.allows(host)
    }
}

/// Headers of every response: no framing, no sniffing, no referrer, no
/// caching, scripts and styles only from the server itself. No CORS
/// header is ever sent, so other origins cannot read anything.
pub const HEADERS: &[(&str, &str)] = &[
    (
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    // `same-origin`, not `no-referrer`: with no referrer Chrome sends
    // `Origin: null` on the page's own form posts, which the Origin check refuses.
    ("Referrer-Policy", "same-origin"),
    ("Cache-Control", "no-store"),
];

/// The value of cookie `name` in a `Cookie` header.
pub fn cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name).then_some(v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        let h = Hosts::new("127.0.0.1:7787".parse().unwrap(), &[]);
        assert!(h.allows(Some("127.0.0.1:7787")));
        assert!(h.allows(Some("LOCALHOST:7787")));
        assert!(!h.allows(Some("evil.example:7787")));
        assert!(!h.allows(Some("127.0.0.1:80")));
        assert!(!h.allows(None));
        assert!(h.allows_origin("http://localhost:7787"));
        assert!(!h.allows_origin("http://evil.example"));
        let h = Hosts::new("0.0.0.0:9000".parse().unwrap(), &["box.lan".into()]);
        assert!(h.allows(Some("box.lan:9000")));
        assert!(!h.allows(Some("0.0.0.0:9000")));
    }

    #[test]
    fn tokens() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
        assert_eq!(random_hex(16).unwrap().len(), 32);
        assert_eq!(cookie("a=1; hw_token=xyz; b=2", "hw_token"), Some("xyz"));
        assert_eq!(cookie("a=1", "hw_token"), None);
    }
}
