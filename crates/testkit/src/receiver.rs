//! A real HTTP/1.1 server on 127.0.0.1 for tests of things that send HTTP
//! (alert targets, the outbox worker): it records every request and answers
//! from a script, including the failures worth testing (5xx for a while,
//! 429 with Retry-After, answers slower than the client's timeout, a
//! connection closed without an answer).
//!
//! ```no_run
//! use hookwatch_testkit::receiver::{Plan, Receiver, Reply};
//! use std::time::Duration;
//! let rx = Receiver::start(
//!     Plan::always(200, "ok")
//!         .then(Reply::status(500))
//!         .times(3)
//!         .then(Reply::status(429).header("Retry-After", "1")),
//! );
//! // ... point the client at rx.url() ...
//! assert!(rx.wait_for(5, Duration::from_secs(10)));
//! ```
//!
//! Keep-alive and pipelining work; request bodies need a Content-Length
//! (chunked request bodies are not supported). Dropping the [`Receiver`]
//! stops it and closes its connections.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// One scripted answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Wait this long before answering (to run into client timeouts).
    pub delay: Duration,
    /// Close the connection without answering.
    pub hang_up: bool,
}

impl Reply {
    /// `status` with an empty body.
    pub fn status(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            delay: Duration::ZERO,
            hang_up: false,
        }
    }

    /// 200 with `body`.
    pub fn ok(body: impl Into<Vec<u8>>) -> Reply {
        Reply::status(200).body(body)
    }

    /// 200 "ok", but only after `delay`.
    pub fn delay(delay: Duration) -> Reply {
        Reply::ok("ok").delayed(delay)
    }

    /// Closes the connection as soon as the request is read.
    pub fn hang_up() -> Reply {
        Reply {
            hang_up: true,
            ..Reply::status(0)
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Reply {
        self.body = body.into();
        self
    }

    /// The same reply, answered after `delay`.
    pub fn delayed(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }
}

/// The script: queued replies first, one per request, then the default.
#[derive(Debug, Clone)]
pub struct Plan {
    default: Reply,
    queue: VecDeque<Reply>,
}

impl Plan {
    /// Every request gets `status` with `body` (unless queued replies come
    /// first).
    pub fn always(status: u16, body: impl Into<Vec<u8>>) -> Plan {
        Plan::default_reply(Reply::status(status).body(body))
    }

    pub fn default_reply(reply: Reply) -> Plan {
        Plan {
            default: reply,
            queue: VecDeque::new(),
        }
    }

    /// Queues `reply` for the next request not yet scripted.
    pub fn then(mut self, reply: Reply) -> Plan {
        self.queue.push_back(reply);
        self
    }

    /// The reply queued last is given `n` times in all.
    pub fn times(mut self, n: usize) -> Plan {
        if let Some(last) = self.queue.back().cloned() {
            for _ in 1..n {
                self.queue.push_back(last.clone());
            }
            if n == 0 {
                self.queue.pop_back();
            }
        }
        self
    }

    fn next(&mut self) -> Reply {
        self.queue
            .pop_front()
            .unwrap_or_else(|| self.default.clone())
    }
}

/// A request as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    /// Path with the query string.
    pub path: String,
    /// Names lowercased, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// When the whole request had been read.
    pub at: Instant,
}

impl Received {
    /// First header of that name (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn body_str(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap_or("<not UTF-8>")
    }

    /// The body as JSON; panics (failing the test) if it is not.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.body_str()))
    }
}

struct State {
    plan: Mutex<Plan>,
    requests: Mutex<Vec<Received>>,
    arrived: Condvar,
    stop: AtomicBool,
    conns: Mutex<Vec<TcpStream>>,
}

/// The running server; dropping it stops it.
pub struct Receiver {
    port: u16,
    state: Arc<State>,
}

impl Receiver {
    pub fn start(plan: Plan) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local addr").port();
        let state = Arc::new(State {
            plan: Mutex::new(plan),
            requests: Mutex::new(Vec::new()),
            arrived: Condvar::new(),
            stop: AtomicBool::new(false),
            conns: Mutex::new(Vec::new()),
        });
        let st = state.clone();
        thread::spawn(move || {
            for conn in listener.incoming() {
                if st.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                if let Ok(c) = conn.try_clone() {
                    st.conns.lock().unwrap().push(c);
                }
                let st = st.clone();
                thread::spawn(move || serve(conn, &st));
            }
        });
        Receiver { port, state }
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Received> {
        self.state.requests.lock().unwrap().clone()
    }

    /// Waits until at least `n` requests arrived; false on timeout.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> bool {
        let guard = self.state.requests.lock().unwrap();
        let (guard, _) = self
            .state
            .arrived
            .wait_timeout_while(guard, timeout, |r| r.len() < n)
            .unwrap();
        guard.len() >= n
    }

    /// Replaces the script for the requests still to come.
    pub fn set_plan(&self, plan: Plan) {
        *self.state.plan.lock().unwrap() = plan;
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.state.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        for c in self.state.conns.lock().unwrap().drain(..) {
            let _ = c.shutdown(Shutdown::Both);
        }
    }
}

/// Requests on one connection, until the client closes it or asks to.
fn serve(mut conn: TcpStream, st: &State) {
    let mut buf = Vec::new();
    loop {
        let Some(req) = read_request(&mut conn, &mut buf) else {
            return;
        };
        if st.stop.load(Ordering::SeqCst) {
            return;
        }
        let close = req
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let reply = st.plan.lock().unwrap().next();
        st.requests.lock().unwrap().push(req);
        st.arrived.notify_all();
        if !reply.delay.is_zero() {
            thread::sleep(reply.delay);
        }
        if reply.hang_up {
            let _ = conn.shutdown(Shutdown::Both);
            return;
        }
        if conn.write_all(&response(&reply, close)).is_err() || close {
            return;
        }
    }
}

fn read_request(conn: &mut TcpStream, buf: &mut Vec<u8>) -> Option<Received> {
    let head_end = loop {
        if let Some(i) = find(buf, b"\r\n\r\n") {
            break i;
        }
        if buf.len() > 1 << 20 || !fill(conn, buf) {
            return None;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    buf.drain(..head_end + 4);
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let path = first.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let get = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v);
    if get("expect").is_some_and(|v| v.eq_ignore_ascii_case("100-continue")) {
        conn.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").ok()?;
    }
    let len: usize = get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < len {
        if !fill(conn, buf) {
            return None;
        }
    }
    let body = buf.drain(..len).collect();
    Some(Received {
        method,
        path,
        headers,
        body,
        at: Instant::now(),
    })
}

fn fill(conn: &mut TcpStream, buf: &mut Vec<u8>) -> bool {
    let mut chunk = [0u8; 16 * 1024];
    match conn.read(&mut chunk) {
        Ok(0) | Err(_) => false,
        Ok(n) => {
            buf.extend_from_slice(&chunk[..n]);
            true
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn response(r: &Reply, close: bool) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {} {}\r\n", r.status, reason(r.status));
    for (k, v) in &r.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!("content-length: {}\r\n", r.body.len()));
    if close {
        out.push_str("connection: close\r\n");
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(&r.body);
    out
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        307 => "Temporary Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        410 => "Gone",
        413 => "Content Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(conn: &mut TcpStream, req: &str) -> String {
        conn.write_all(req.as_bytes()).unwrap();
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let n = conn.read(&mut chunk).unwrap();
            buf.extend_from_slice(&chunk[..n]);
            if let Some(i) = find(&buf, b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buf[..i]).to_ascii_lowercase();
                let len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length: "))
                    .unwrap()
                    .parse()
                    .unwrap();
                if buf.len() >= i + 4 + len {
                    return String::from_utf8_lossy(&buf).into_owned();
                }
            }
        }
    }

    #[test]
    fn scripted_replies_on_one_keep_alive_connection() {
        let rx = Receiver::start(
            Plan::always(200, "ok")
                .then(Reply::status(500))
                .times(2)
                .then(Reply::status(429).header("Retry-After", "1")),
        );
        let mut c = TcpStream::connect(("127.0.0.1", rx.port())).unwrap();
        let req =
            "POST /a?b=1 HTTP/1.1\r\nHost: x\r\nX-Thing: Yes\r\nContent-Length: 5\r\n\r\nhello";
        let answers: Vec<String> = (0..4).map(|_| roundtrip(&mut c, req)).collect();
        assert!(answers[0].starts_with("HTTP/1.1 500"));
        assert!(answers[1].starts_with("HTTP/1.1 500"));
        assert!(answers[2].starts_with("HTTP/1.1 429"));
        assert!(answers[2].contains("Retry-After: 1\r\n"));
        assert!(answers[3].starts_with("HTTP/1.1 200") && answers[3].ends_with("ok"));
        assert!(rx.wait_for(4, Duration::from_secs(5)));
        let r = &rx.requests()[0];
        assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/a?b=1"));
        assert_eq!(r.header("X-THING"), Some("Yes"));
        assert_eq!(r.body, b"hello");
    }

    #[test]
    fn hang_up_closes_without_answer() {
        let rx = Receiver::start(Plan::always(200, "ok").then(Reply::hang_up()));
        let mut c = TcpStream::connect(("127.0.0.1", rx.port())).unwrap();
        c.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut buf = Vec::new();
        assert_eq!(c.read_to_end(&mut buf).unwrap_or(0), 0);
        assert!(rx.wait_for(1, Duration::from_secs(5)));
        assert!(!rx.wait_for(2, Duration::from_millis(50)));
    }
}
