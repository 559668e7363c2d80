//! `hookwatch serve`: the local web dashboard. Server-rendered pages over
//! [`hookwatch_view`], a JSON API with the same data, and a few actions
//! (silences, retries, job cancels) handed to the binary through
//! [`Actions`] so they run the CLI's own code.
//!
//! Synchronous on purpose (tiny_http, a few threads): it serves one person
//! or a small team, reads a local SQLite file, and stays out of the hook's
//! way: it is a separate process that only reads the store.

pub mod html;
mod pages;
pub mod security;

use hookwatch_view::{Filter, Range, View};
use security::Hosts;
use std::collections::HashMap;
use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};
use tiny_http::{Header, Method, Request, Response, Server};

/// What the dashboard may change, implemented by the binary with the same
/// code as the CLI commands. Errors are messages for the person.
pub trait Actions: Send + Sync {
    fn add_silence(
        &self,
        matchers: &[String],
        duration: &str,
        comment: &str,
        author: &str,
    ) -> Result<i64, String>;
    fn expire_silence(&self, id: i64) -> Result<(), String>;
    fn retry_notification(&self, id: i64) -> Result<(), String>;
    fn cancel_job(&self, id: i64) -> Result<(), String>;
}

pub struct Config {
    pub addr: SocketAddr,
    pub db: PathBuf,
    /// Required on every request when set (always set off loopback).
    pub token: Option<String>,
    pub read_only: bool,
    /// Host names besides loopback and the bound address (`--host-name`).
    pub host_names: Vec<String>,
    pub threads: usize,
}

struct State {
    cfg: Config,
    hosts: Hosts,
    csrf: String,
    actions: Box<dyn Actions>,
}

/// Bind and serve until the process ends. `on_ready` gets the bound
/// address (the port when 0 was asked for).
pub fn serve(
    cfg: Config,
    actions: Box<dyn Actions>,
    on_ready: impl FnOnce(SocketAddr),
) -> Result<(), String> {
    let listener = listen(cfg.addr).map_err(|e| format!("cannot listen on {}: {e}", cfg.addr))?;
    let server = Server::from_listener(listener, None)
        .map_err(|e| format!("cannot listen on {}: {e}", cfg.addr))?;
    let addr = server
        .server_addr()
        .to_ip()
        .ok_or("the server has no IP address")?;
    let state = Arc::new(State {
        hosts: Hosts::new(addr, &cfg.host_names),
        csrf: security::random_hex(16).map_err(|e| format!("/dev/urandom: {e}"))?,
        cfg,
        actions,
    });
    let server = Arc::new(server);
    on_ready(addr);
    let threads: Vec<_> = (0..state.cfg.threads.max(1))
        .map(|_| {
            let (server, state) = (server.clone(), state.clone());
            std::thread::spawn(move || {
                let mut view: Option<View> = None;
                while let Ok(req) = server.recv() {
                    handle(&state, &mut view, req);
                }
            })
        })
        .collect();
    for t in threads {
        let _ = t.join();
    }
    Ok(())
}

/// The listening socket, with Nagle's algorithm off. tiny_http sends a
/// reply in two writes, the head and then the body; with Nagle on, the body
/// waits until the client acknowledges the head, and a client on a
/// kept-alive connection (every browser) delays that acknowledgement: 40 ms
/// more on every page and API call of a dashboard that computes most of them
/// in a few (BENCHMARKS.md, "The dashboard on a million events"). Accepted
/// sockets inherit TCP_NODELAY from the listener.
fn listen(addr: SocketAddr) -> std::io::Result<std::net::TcpListener> {
    use std::os::fd::AsRawFd;
    let listener = std::net::TcpListener::bind(addr)?;
    let one: libc::c_int = 1;
    // SAFETY: a socket this function owns, and an int the call only reads.
    let set = unsafe {
        libc::setsockopt(
            listener.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_NODELAY,
            (&one as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    if set != 0 {
        // Slower replies, not wrong ones: serve anyway.
        eprintln!(
            "hookwatch serve: TCP_NODELAY: {}",
            std::io::Error::last_os_error()
        );
    }
    Ok(listener)
}

pub fn now_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

/// A parsed request, as pages see it.
pub(crate) struct Req {
    pub path: String,
    pub query: HashMap<String, String>,
    pub partial: bool,
}

impl Req {
    pub fn get(&self, k: &str) -> Option<&str> {
        self.query
            .get(k)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub fn filter(&self) -> Filter {
        Filter {
            range: self
                .get("range")
                .and_then(Range::parse)
                .unwrap_or(Filter::default().range),
            project: self.get("project").map(str::to_string),
            tool: self.get("tool").map(str::to_string),
            class: self.get("class").map(str::to_string),
            session: self.get("session").map(str::to_string),
        }
    }
}

pub(crate) enum Reply {
    Html(u16, String),
    Json(u16, String),
    Asset(&'static str, &'static str),
    Redirect(String, Option<String>),
    Text(u16, String),
}

fn handle(state: &State, view: &mut Option<View>, mut req: Request) {
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|h| {
            (
                h.field.as_str().as_str().to_ascii_lowercase(),
                h.value.as_str().to_string(),
            )
        })
        .collect();
    let header = |name: &str| {
        let name = name.to_ascii_lowercase();
        headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    };
    let reply = (|| {
        if !state.hosts.allows(header("Host").as_deref()) {
            return Reply::Text(403, "Host not allowed: open the address `hookwatch serve` printed (pass --host-name NAME to allow another name)\n".into());
        }
        let (path, raw_query) = match req.url().split_once('?') {
            Some((p, q)) => (p.to_string(), q.to_string()),
            None => (req.url().to_string(), String::new()),
        };
        let query = parse_form(&raw_query);
        if let Some(token) = &state.cfg.token {
            let given = header("Authorization")
                .and_then(|a| a.strip_prefix("Bearer ").map(str::to_string))
                .or_else(|| {
                    header("Cookie")
                        .and_then(|c| security::cookie(&c, "hw_token").map(str::to_string))
                });
            if !given.is_some_and(|g| security::same(&g, token)) {
                // `?token=` once (the URL `hookwatch serve` prints): set the
                // cookie and drop the token from the address bar.
                if let Some(t) = query.get("token") {
                    if security::same(t, token) && *req.method() == Method::Get {
                        let rest: Vec<String> = raw_query
                            .split('&')
                            .filter(|kv| !kv.starts_with("token="))
                            .map(str::to_string)
                            .collect();
                        let to = if rest.is_empty() {
                            path.clone()
                        } else {
                            format!("{path}?{}", rest.join("&"))
                        };
                        return Reply::Redirect(
                            to,
                            Some(format!(
                                "hw_token={token}; HttpOnly; SameSite=Strict; Path=/"
                            )),
                        );
                    }
                }
                return Reply::Text(401, "401: this dashboard needs its access token; open the URL `hookwatch serve` printed, or send `Authorization: Bearer <token>`\n".into());
            }
        }
        let r = Req {
            partial: header("X-Partial").is_some(),
            path,
            query,
        };
        match *req.method() {
            Method::Get | Method::Head => get(state, view, &r),
            Method::Post => {
                if state.cfg.read_only {
                    return Reply::Text(
                        403,
                        "403: this dashboard is read-only (--read-only)\n".into(),
                    );
                }
                if let Some(origin) = header("Origin") {
                    if !state.hosts.allows_origin(&origin) {
                        return Reply::Text(403, "403: cross-origin request refused\n".into());
                    }
                }
                let mut body = String::new();
                let _ = req.as_reader().take(64 * 1024).read_to_string(&mut body);
                let form = parse_form(&body);
                let given = form.get("csrf").cloned().or_else(|| header("X-CSRF-Token"));
                if !given.is_some_and(|g| security::same(&g, &state.csrf)) {
                    return Reply::Text(
                        403,
                        "403: missing or wrong CSRF token; reload the page and try again\n".into(),
                    );
                }
                pages::post(state, &r, &form)
            }
            _ => Reply::Text(405, "405: GET or POST only\n".into()),
        }
    })();
    let (status, body, ctype, extra): (u16, Vec<u8>, &str, Vec<(String, String)>) = match reply {
        Reply::Html(s, b) => (s, b.into_bytes(), "text/html; charset=utf-8", vec![]),
        Reply::Json(s, b) => (s, b.into_bytes(), "application/json", vec![]),
        Reply::Text(s, b) => (s, b.into_bytes(), "text/plain; charset=utf-8", vec![]),
        Reply::Asset(ctype, b) => (200, b.as_bytes().to_vec(), ctype, vec![]),
        Reply::Redirect(to, cookie) => {
            let mut h = vec![("Location".to_string(), to)];
            if let Some(c) = cookie {
                h.push(("Set-Cookie".to_string(), c));
            }
            (303, Vec::new(), "text/plain", h)
        }
    };
    let mut resp = Response::from_data(body).with_status_code(status);
    let mut add = |k: &str, v: &str| {
        if let Ok(h) = Header::from_bytes(k.as_bytes(), v.as_bytes()) {
            resp.add_header(h);
        }
    };
    add("Content-Type", ctype);
    for (k, v) in security::HEADERS {
        add(k, v);
    }
    for (k, v) in &extra {
        add(k, v);
    }
    let _ = req.respond(resp);
}

fn get(state: &State, view: &mut Option<View>, r: &Req) -> Reply {
    match r.path.as_str() {
        "/assets/app.css" => {
            return Reply::Asset("text/css; charset=utf-8", include_str!("../assets/app.css"))
        }
        "/assets/app.js" => {
            return Reply::Asset(
                "text/javascript; charset=utf-8",
                include_str!("../assets/app.js"),
            )
        }
        "/favicon.ico" | "/assets/icon.svg" => {
            return Reply::Asset("image/svg+xml", include_str!("../assets/icon.svg"))
        }
        _ => {}
    }
    if view.is_none() {
        match View::open(&state.cfg.db) {
            Ok(v) => *view = Some(v),
            Err(e) => return pages::error_page(&e.to_string()),
        }
    }
    let v = view.as_ref().expect("opened above");
    match pages::get(state, v, r) {
        Ok(reply) => reply,
        Err(e) => {
            // A store replaced under us (tests, `rm`): open it again next time.
            *view = None;
            pages::error_page(&e.to_string())
        }
    }
}

/// `a=1&b=x%20y` (also `+` for space) into a map; later keys win.
pub(crate) fn parse_form(s: &str) -> HashMap<String, String> {
    s.split('&')
        .filter(|kv| !kv.is_empty())
        .filter_map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            Some((decode(k)?, decode(v)?))
        })
        .collect()
}

fn decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_decode() {
        let f = parse_form("a=1&b=x%20y+z&c=%E2%9C%93&d");
        assert_eq!(f["b"], "x y z");
        assert_eq!(f["c"], "✓");
        assert_eq!(f["d"], "");
        assert!(parse_form("a=%ZZ").is_empty());
        assert!(parse_form("a=%4").is_empty() || parse_form("a=%4")["a"] == "%4");
    }
}
