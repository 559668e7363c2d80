//! A scripted stand-in for the Anthropic Messages API, spoken over plain
//! HTTP/1.1 on loopback so the real `claude` CLI can run offline.
//!
//! Only std networking: one thread accepts, one thread serves each
//! connection. The CLI keeps connections alive between turns, so each
//! connection thread loops over requests until the peer closes or the
//! stand-in is dropped.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

/// Text given to main-loop turns once the script has run out, so a
/// too-short script ends the session instead of hanging it.
pub const EXHAUSTED_TEXT: &str = "All done.";

/// Text given to requests that are not main-loop turns (title generation,
/// quota probes). They must not eat scripted actions, or a script's meaning
/// would depend on which side requests a CLI version happens to make.
pub const SIDE_REQUEST_TEXT: &str = "ok";

// Limits exist so a garbage or hostile request cannot make a test process
// allocate without bound; real CLI bodies are a few hundred KB at most.
const MAX_LINE: u64 = 64 * 1024;
const MAX_HEADERS: usize = 256;
const MAX_BODY: usize = 64 * 1024 * 1024;

/// What the stand-in answers to one main-loop turn.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// One `tool_use` block; the turn stops with `stop_reason: "tool_use"`.
    ToolUse { name: String, input: Value },
    /// Several `tool_use` blocks in one assistant message.
    ToolUses(Vec<(String, Value)>),
    /// A plain text answer; the turn stops with `end_turn`.
    Text(String),
    /// An HTTP error with the API's error body, e.g. 429 `rate_limit_error`
    /// or 401 `authentication_error`.
    Error {
        status: u16,
        error_type: String,
        message: String,
    },
}

impl Action {
    /// A `Bash` tool call running `cmd`.
    pub fn bash(cmd: &str) -> Action {
        Action::tool_use("Bash", json!({ "command": cmd }))
    }

    /// A `Read` tool call of `path`.
    pub fn read(path: impl AsRef<Path>) -> Action {
        Action::tool_use(
            "Read",
            json!({ "file_path": path.as_ref().to_string_lossy() }),
        )
    }

    pub fn tool_use(name: &str, input: Value) -> Action {
        Action::ToolUse {
            name: name.to_owned(),
            input,
        }
    }

    pub fn text(text: &str) -> Action {
        Action::Text(text.to_owned())
    }

    pub fn error(status: u16, error_type: &str, message: &str) -> Action {
        Action::Error {
            status,
            error_type: error_type.to_owned(),
            message: message.to_owned(),
        }
    }

    /// 429 `rate_limit_error`, the reply that makes the CLI fire StopFailure
    /// with `"error": "rate_limit"`.
    pub fn rate_limited(message: &str) -> Action {
        Action::error(429, "rate_limit_error", message)
    }

    /// Parse a scenario file as used by `api-standin` (and by the Python
    /// prototype it replaces): `{"turns": [ACTION, ...]}` where ACTION is
    /// one of `{"tool_use": {"name", "input"}}`, `{"tool_uses": [...]}`,
    /// `{"text": "..."}`, `{"error": {"status", "type", "message"}}`.
    pub fn from_scenario_json(text: &str) -> Result<Vec<Action>, ScenarioError> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| ScenarioError(format!("scenario is not JSON: {e}")))?;
        Action::from_scenario_value(&value)
    }

    pub fn from_scenario_value(value: &Value) -> Result<Vec<Action>, ScenarioError> {
        let obj = value
            .as_object()
            .ok_or_else(|| ScenarioError("scenario must be a JSON object".into()))?;
        let turns = match obj.get("turns") {
            None => return Ok(Vec::new()),
            Some(Value::Array(turns)) => turns,
            Some(_) => return Err(ScenarioError("\"turns\" must be an array".into())),
        };
        turns
            .iter()
            .enumerate()
            .map(|(i, turn)| {
                Action::from_turn_value(turn)
                    .map_err(|ScenarioError(msg)| ScenarioError(format!("turns[{i}]: {msg}")))
            })
            .collect()
    }

    /// One ACTION object of a scenario.
    pub fn from_turn_value(turn: &Value) -> Result<Action, ScenarioError> {
        let obj = turn
            .as_object()
            .ok_or_else(|| ScenarioError("an action must be a JSON object".into()))?;
        // Exactly one key: a typo such as {"tool_use":..., "txt":...} should
        // fail the scenario rather than be silently ignored.
        if obj.len() != 1 {
            return Err(ScenarioError(format!(
                "an action must have exactly one of tool_use, tool_uses, text, error; got {:?}",
                obj.keys().collect::<Vec<_>>()
            )));
        }
        let (key, val) = obj.iter().next().expect("len checked");
        match key.as_str() {
            "tool_use" => {
                let (name, input) = parse_tool(val)?;
                Ok(Action::ToolUse { name, input })
            }
            "tool_uses" => {
                let list = val
                    .as_array()
                    .ok_or_else(|| ScenarioError("tool_uses must be an array".into()))?;
                if list.is_empty() {
                    return Err(ScenarioError("tool_uses must not be empty".into()));
                }
                Ok(Action::ToolUses(
                    list.iter().map(parse_tool).collect::<Result<_, _>>()?,
                ))
            }
            "text" => val
                .as_str()
                .map(Action::text)
                .ok_or_else(|| ScenarioError("text must be a string".into())),
            "error" => {
                let e = val
                    .as_object()
                    .ok_or_else(|| ScenarioError("error must be an object".into()))?;
                // Defaults match the Python prototype.
                let status = match e.get("status") {
                    None => 500,
                    Some(s) => s
                        .as_u64()
                        .filter(|s| (100..=599).contains(s))
                        .ok_or_else(|| ScenarioError("error.status must be 100..=599".into()))?
                        as u16,
                };
                let field = |name: &str, default: &str| match e.get(name) {
                    None => Ok(default.to_owned()),
                    Some(Value::String(s)) => Ok(s.clone()),
                    Some(_) => Err(ScenarioError(format!("error.{name} must be a string"))),
                };
                Ok(Action::Error {
                    status,
                    error_type: field("type", "api_error")?,
                    message: field("message", "mock error")?,
                })
            }
            other => Err(ScenarioError(format!("unknown action {other:?}"))),
        }
    }

    /// The scenario form of this action (inverse of [`Action::from_turn_value`]).
    pub fn to_scenario_value(&self) -> Value {
        let tool = |name: &str, input: &Value| json!({ "name": name, "input": input });
        match self {
            Action::ToolUse { name, input } => json!({ "tool_use": tool(name, input) }),
            Action::ToolUses(list) => json!({
                "tool_uses": list.iter().map(|(n, i)| tool(n, i)).collect::<Vec<_>>()
            }),
            Action::Text(text) => json!({ "text": text }),
            Action::Error {
                status,
                error_type,
                message,
            } => json!({ "error": { "status": status, "type": error_type, "message": message } }),
        }
    }
}

fn parse_tool(val: &Value) -> Result<(String, Value), ScenarioError> {
    let name = val
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| ScenarioError("a tool use needs a string \"name\"".into()))?;
    let input = val.get("input").cloned().unwrap_or_else(|| json!({}));
    if !input.is_object() {
        return Err(ScenarioError(format!(
            "tool {name:?}: \"input\" must be an object"
        )));
    }
    Ok((name.to_owned(), input))
}

/// A scenario that could not be parsed; the message names the bad turn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError(pub String);

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ScenarioError {}

/// One `POST .../v1/messages` request as the stand-in saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedRequest {
    /// Request target as sent, query included (`/v1/messages?beta=true`).
    pub path: String,
    /// Whether the body had a non-empty `tools` array (a main-loop turn).
    pub main: bool,
    /// The parsed request body; `Null` if it was not JSON.
    pub body: Value,
    /// What the stand-in answered.
    pub action: Action,
}

impl LoggedRequest {
    /// The `messages` array: what the model would see on this turn.
    pub fn messages(&self) -> &[Value] {
        self.body
            .get("messages")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Every `tool_result` content block in `messages`, oldest first.
    pub fn tool_results(&self) -> Vec<&Value> {
        self.content_blocks()
            .filter(|b| b.get("type").and_then(Value::as_str) == Some("tool_result"))
            .collect()
    }

    /// All text the model would see in `messages` (text blocks, string
    /// contents, tool_result contents), joined by newlines. Handy for
    /// "did this hook context reach the model" assertions.
    pub fn messages_text(&self) -> String {
        let mut out = String::new();
        for m in self.messages() {
            collect_text(m.get("content").unwrap_or(&Value::Null), &mut out);
        }
        out
    }

    fn content_blocks(&self) -> impl Iterator<Item = &Value> {
        self.messages()
            .iter()
            .filter_map(|m| m.get("content").and_then(Value::as_array))
            .flatten()
    }
}

fn collect_text(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        Value::Array(items) => items.iter().for_each(|i| collect_text(i, out)),
        Value::Object(o) => {
            if let Some(t) = o.get("text") {
                collect_text(t, out);
            }
            if let Some(c) = o.get("content") {
                collect_text(c, out);
            }
        }
        _ => {}
    }
}

/// A running stand-in. Dropping it stops the server and closes every
/// connection, so a CLI still running afterwards gets connection errors
/// rather than a hang.
pub struct ApiStandin {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<Vec<JoinHandle<()>>>>,
}

struct Shared {
    stop: AtomicBool,
    state: Mutex<State>,
    // Clones of live connections so Drop can shut them down: a connection
    // thread blocks in read() while the CLI holds the connection open.
    conns: Mutex<HashMap<u64, TcpStream>>,
}

struct State {
    script: VecDeque<Action>,
    log: Vec<LoggedRequest>,
    log_file: Option<File>,
}

impl ApiStandin {
    /// Start on 127.0.0.1 with an OS-chosen port, answering main-loop turns
    /// from `script` in order.
    pub fn start(script: Vec<Action>) -> io::Result<ApiStandin> {
        ApiStandin::start_on(0, script, None)
    }

    /// Start on `127.0.0.1:port` (0 = any). With `log_jsonl`, every request
    /// is also appended to that file as one JSON line, in the Python
    /// prototype's format.
    pub fn start_on(
        port: u16,
        script: Vec<Action>,
        log_jsonl: Option<&Path>,
    ) -> io::Result<ApiStandin> {
        let log_file = match log_jsonl {
            Some(p) => Some(OpenOptions::new().create(true).append(true).open(p)?),
            None => None,
        };
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            stop: AtomicBool::new(false),
            state: Mutex::new(State {
                script: script.into(),
                log: Vec::new(),
                log_file,
            }),
            conns: Mutex::new(HashMap::new()),
        });
        let accept = {
            let shared = Arc::clone(&shared);
            thread::Builder::new()
                .name("api-standin-accept".into())
                .spawn(move || accept_loop(listener, shared))?
        };
        Ok(ApiStandin {
            addr,
            shared,
            accept: Some(accept),
        })
    }

    /// `http://127.0.0.1:PORT`, the value for `ANTHROPIC_BASE_URL`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Every `/v1/messages` request so far, in arrival order.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.shared.state().log.clone()
    }

    /// Only the main-loop turns (requests with a non-empty `tools` array).
    pub fn main_requests(&self) -> Vec<LoggedRequest> {
        self.shared
            .state()
            .log
            .iter()
            .filter(|r| r.main)
            .cloned()
            .collect()
    }

    /// Scripted actions not yet consumed; non-zero after a run usually means
    /// the CLI stopped earlier than the test expected.
    pub fn remaining_actions(&self) -> usize {
        self.shared.state().script.len()
    }
}

impl Drop for ApiStandin {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // accept() has no timeout in std; a throwaway connection wakes it so
        // it can see the stop flag.
        let _ = TcpStream::connect(self.addr);
        let handlers = self
            .accept
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
        // Only after the accept thread is gone is the connection set final.
        for conn in lock(&self.shared.conns).values() {
            let _ = conn.shutdown(Shutdown::Both);
        }
        for h in handlers {
            let _ = h.join();
        }
    }
}

impl fmt::Debug for ApiStandin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiStandin")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }
}

// A panicking connection thread must not take the whole stand-in down with
// a poisoned lock; the data behind these locks stays consistent anyway.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) -> Vec<JoinHandle<()>> {
    let mut handlers: Vec<JoinHandle<()>> = Vec::new();
    let mut next_id = 0u64;
    for stream in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        let stream = match stream {
            Ok(s) => s,
            Err(_) => {
                // E.g. EMFILE: back off instead of spinning.
                thread::sleep(std::time::Duration::from_millis(10));
                continue;
            }
        };
        handlers.retain(|h| !h.is_finished());
        let id = next_id;
        next_id += 1;
        if let Ok(clone) = stream.try_clone() {
            lock(&shared.conns).insert(id, clone);
        }
        let conn_shared = Arc::clone(&shared);
        let spawned = thread::Builder::new()
            .name("api-standin-conn".into())
            .spawn(move || {
                serve_connection(stream, &conn_shared);
                lock(&conn_shared.conns).remove(&id);
            });
        match spawned {
            Ok(h) => handlers.push(h),
            Err(_) => {
                if let Some(s) = lock(&shared.conns).remove(&id) {
                    let _ = s.shutdown(Shutdown::Both);
                }
            }
        }
    }
    handlers
}

struct Request {
    method: String,
    target: String,
    body: Vec<u8>,
    keep_alive: bool,
}

enum ReadError {
    /// Connection gone or broken: nothing to answer.
    Io,
    /// Unparseable request: answer with this status, then close, since the
    /// framing of anything after it is unknown.
    Bad(u16, String),
}

impl From<io::Error> for ReadError {
    fn from(_: io::Error) -> Self {
        ReadError::Io
    }
}

fn serve_connection(stream: TcpStream, shared: &Shared) {
    let Ok(write_half) = stream.try_clone() else {
        return;
    };
    let mut writer = write_half;
    let mut reader = BufReader::new(stream);
    loop {
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let req = match read_request(&mut reader, &mut writer) {
            Ok(Some(req)) => req,
            Ok(None) | Err(ReadError::Io) => return,
            Err(ReadError::Bad(status, msg)) => {
                log_other(shared, json!({ "error": msg, "status": status }));
                let body = error_body("invalid_request_error", &msg);
                let _ = write_response(
                    &mut writer,
                    status,
                    "application/json",
                    body.as_bytes(),
                    &[],
                    false,
                );
                let _ = writer.shutdown(Shutdown::Both);
                return;
            }
        };
        let keep_alive = req.keep_alive;
        if handle(&req, shared, &mut writer).is_err() || !keep_alive {
            let _ = writer.shutdown(Shutdown::Both);
            return;
        }
    }
}

/// Read one request. `Ok(None)` means the peer closed cleanly between
/// requests, the normal end of a keep-alive connection.
fn read_request(
    reader: &mut BufReader<TcpStream>,
    writer: &mut TcpStream,
) -> Result<Option<Request>, ReadError> {
    // Tolerate stray blank lines before the request line (RFC 9112 §2.2).
    let request_line = loop {
        match read_line(reader)? {
            None => return Ok(None),
            Some(l) if l.is_empty() => continue,
            Some(l) => break l,
        }
    };
    let bad = |msg: &str| ReadError::Bad(400, msg.to_owned());
    let mut parts = request_line.split(' ').filter(|p| !p.is_empty());
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("malformed request line"));
    };
    if !version.starts_with("HTTP/1.") {
        return Err(bad("unsupported HTTP version"));
    }
    if !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(bad("malformed method"));
    }
    let (method, target, version) = (method.to_owned(), target.to_owned(), version.to_owned());

    let mut headers = Vec::new();
    loop {
        let line = read_line(reader)?.ok_or(ReadError::Io)?;
        if line.is_empty() {
            break;
        }
        if headers.len() >= MAX_HEADERS {
            return Err(ReadError::Bad(431, "too many headers".into()));
        }
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| bad("header line without ':'"))?;
        if name.is_empty() || name.ends_with([' ', '\t']) {
            return Err(bad("malformed header name"));
        }
        headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
    }

    let get = |name: &'static str| {
        headers
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let connection_has = |token: &str| {
        get("connection")
            .flat_map(|v| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    };
    let keep_alive = if version == "HTTP/1.0" {
        connection_has("keep-alive")
    } else {
        !connection_has("close")
    };

    if get("expect").any(|v| v.eq_ignore_ascii_case("100-continue")) {
        writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    }

    let te: Vec<&str> = get("transfer-encoding").collect();
    let body = if !te.is_empty() {
        let last = te
            .iter()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .next_back()
            .unwrap_or("");
        if !last.eq_ignore_ascii_case("chunked") {
            return Err(ReadError::Bad(501, "unsupported transfer-encoding".into()));
        }
        read_chunked(reader)?
    } else {
        let lengths: Vec<&str> = get("content-length").collect();
        let len = match lengths.as_slice() {
            [] => 0,
            [first, rest @ ..] => {
                if rest.iter().any(|l| l != first) {
                    return Err(bad("conflicting content-length"));
                }
                first
                    .parse::<usize>()
                    .map_err(|_| bad("invalid content-length"))?
            }
        };
        if len > MAX_BODY {
            return Err(ReadError::Bad(413, "body too large".into()));
        }
        let mut body = vec![0; len];
        reader.read_exact(&mut body)?;
        body
    };

    Ok(Some(Request {
        method,
        target,
        body,
        keep_alive,
    }))
}

/// One line without its CRLF (a bare LF is accepted too). `None` on EOF
/// before any byte.
fn read_line(reader: &mut BufReader<TcpStream>) -> Result<Option<String>, ReadError> {
    let mut buf = Vec::new();
    let n = reader.by_ref().take(MAX_LINE).read_until(b'\n', &mut buf)?;
    if n == 0 {
        return Ok(None);
    }
    if buf.last() != Some(&b'\n') {
        return if n as u64 >= MAX_LINE {
            Err(ReadError::Bad(431, "line too long".into()))
        } else {
            // EOF mid-line: the peer went away.
            Err(ReadError::Io)
        };
    }
    buf.pop();
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    String::from_utf8(buf)
        .map(Some)
        .map_err(|_| ReadError::Bad(400, "request head is not UTF-8".into()))
}

fn read_chunked(reader: &mut BufReader<TcpStream>) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    loop {
        let line = read_line(reader)?.ok_or(ReadError::Io)?;
        let size_str = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_str, 16)
            .map_err(|_| ReadError::Bad(400, "invalid chunk size".into()))?;
        if size == 0 {
            // Trailers, up to the blank line that ends the message.
            while !read_line(reader)?.ok_or(ReadError::Io)?.is_empty() {}
            return Ok(body);
        }
        if body.len().saturating_add(size) > MAX_BODY {
            return Err(ReadError::Bad(413, "body too large".into()));
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..])?;
        if !read_line(reader)?.ok_or(ReadError::Io)?.is_empty() {
            return Err(ReadError::Bad(400, "chunk not followed by CRLF".into()));
        }
    }
}

fn handle(req: &Request, shared: &Shared, w: &mut TcpStream) -> io::Result<()> {
    let ka = req.keep_alive;
    let path = req.target.split('?').next().unwrap_or("");
    let is_messages = req.method == "POST" && path.ends_with("/v1/messages");
    if !is_messages {
        log_other(shared, json!({ "method": req.method, "path": req.target }));
        return match req.method.as_str() {
            "HEAD" => write_response(w, 200, "application/json", b"", &[], ka),
            // count_tokens and any other POST: a plausible token count.
            "POST" => write_response(
                w,
                200,
                "application/json",
                br#"{"input_tokens":10}"#,
                &[],
                ka,
            ),
            _ => write_response(w, 200, "application/json", b"{}", &[], ka),
        };
    }

    let body: Value = match serde_json::from_slice(&req.body) {
        Ok(v @ Value::Object(_)) => v,
        _ => {
            let action = Action::error(400, "invalid_request_error", "body is not a JSON object");
            record(shared, req, Value::Null, false, &action);
            return reply(w, &Value::Null, &action, ka);
        }
    };
    let main = body
        .get("tools")
        .and_then(Value::as_array)
        .is_some_and(|t| !t.is_empty());
    // Pop and log under one lock so the log order is the script order even
    // when the CLI sends concurrent requests.
    let action = {
        let mut state = shared.state();
        let action = if main {
            state
                .script
                .pop_front()
                .unwrap_or_else(|| Action::text(EXHAUSTED_TEXT))
        } else {
            Action::text(SIDE_REQUEST_TEXT)
        };
        record_locked(&mut state, req, body.clone(), main, &action);
        action
    };
    reply(w, &body, &action, ka)
}

fn record(shared: &Shared, req: &Request, body: Value, main: bool, action: &Action) {
    record_locked(&mut shared.state(), req, body, main, action);
}

fn record_locked(state: &mut State, req: &Request, body: Value, main: bool, action: &Action) {
    if let Some(f) = state.log_file.as_mut() {
        let mut rec = json!({
            "path": req.target,
            "main": main,
            "model": body.get("model"),
            "stream": body.get("stream"),
            "n_messages": body.get("messages").and_then(Value::as_array).map_or(0, Vec::len),
            "action": action.to_scenario_value(),
        });
        if main {
            rec["messages"] = body.get("messages").cloned().unwrap_or(Value::Null);
        }
        write_log_line(f, &rec);
    }
    state.log.push(LoggedRequest {
        path: req.target.clone(),
        main,
        body,
        action: action.clone(),
    });
}

fn log_other(shared: &Shared, rec: Value) {
    if let Some(f) = shared.state().log_file.as_mut() {
        write_log_line(f, &rec);
    }
}

fn write_log_line(f: &mut File, rec: &Value) {
    // A full disk must not break the run being observed.
    let _ = writeln!(f, "{rec}");
}

fn error_body(error_type: &str, message: &str) -> String {
    json!({ "type": "error", "error": { "type": error_type, "message": message } }).to_string()
}

fn reply(w: &mut TcpStream, req: &Value, action: &Action, ka: bool) -> io::Result<()> {
    let (blocks, stop) = match action {
        Action::Error {
            status,
            error_type,
            message,
        } => {
            // retry-after: 0 keeps a CLI that does retry from sleeping.
            let extra: &[(&str, &str)] = if *status == 429 {
                &[("retry-after", "0")]
            } else {
                &[]
            };
            let body = error_body(error_type, message);
            return write_response(w, *status, "application/json", body.as_bytes(), extra, ka);
        }
        Action::Text(text) => (vec![json!({ "type": "text", "text": text })], "end_turn"),
        Action::ToolUse { name, input } => (vec![tool_block(name, input)], "tool_use"),
        Action::ToolUses(list) => (
            list.iter().map(|(n, i)| tool_block(n, i)).collect(),
            "tool_use",
        ),
    };
    let model = req
        .get("model")
        .and_then(Value::as_str)
        .unwrap_or("claude-standin");
    let id = format!("msg_{}", random_hex());
    let usage = json!({
        "input_tokens": 10,
        "output_tokens": 5,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
    });
    if req.get("stream") != Some(&Value::Bool(true)) {
        let body = json!({
            "id": id, "type": "message", "role": "assistant", "model": model,
            "content": blocks, "stop_reason": stop, "stop_sequence": null, "usage": usage,
        });
        return write_response(
            w,
            200,
            "application/json",
            body.to_string().as_bytes(),
            &[],
            ka,
        );
    }

    let mut sse = String::new();
    let mut event = |name: &str, data: Value| {
        sse.push_str(&format!("event: {name}\ndata: {data}\n\n"));
    };
    event(
        "message_start",
        json!({ "type": "message_start", "message": {
            "id": id, "type": "message", "role": "assistant", "model": model,
            "content": [], "stop_reason": null, "stop_sequence": null, "usage": usage,
        }}),
    );
    for (i, block) in blocks.iter().enumerate() {
        let (start, delta) = if block["type"] == "text" {
            (
                json!({ "type": "text", "text": "" }),
                json!({ "type": "text_delta", "text": block["text"] }),
            )
        } else {
            (
                json!({ "type": "tool_use", "id": block["id"], "name": block["name"], "input": {} }),
                // The real API streams tool input as a JSON *string*.
                json!({ "type": "input_json_delta", "partial_json": block["input"].to_string() }),
            )
        };
        event(
            "content_block_start",
            json!({ "type": "content_block_start", "index": i, "content_block": start }),
        );
        event(
            "content_block_delta",
            json!({ "type": "content_block_delta", "index": i, "delta": delta }),
        );
        event(
            "content_block_stop",
            json!({ "type": "content_block_stop", "index": i }),
        );
    }
    event(
        "message_delta",
        json!({ "type": "message_delta",
                "delta": { "stop_reason": stop, "stop_sequence": null },
                "usage": { "output_tokens": 5 } }),
    );
    event("message_stop", json!({ "type": "message_stop" }));
    write_response(w, 200, "text/event-stream", sse.as_bytes(), &[], ka)
}

fn tool_block(name: &str, input: &Value) -> Value {
    json!({ "type": "tool_use", "id": format!("toolu_{}", random_hex()), "name": name, "input": input })
}

fn write_response(
    w: &mut TcpStream,
    status: u16,
    content_type: &str,
    body: &[u8],
    extra: &[(&str, &str)],
    keep_alive: bool,
) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n",
        reason(status),
        body.len()
    );
    for (k, v) in extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(if keep_alive {
        "connection: keep-alive\r\n\r\n"
    } else {
        "connection: close\r\n\r\n"
    });
    // One write keeps small responses in one segment; the CLI's HTTP client
    // does not care, but packet captures stay readable.
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    w.write_all(&out)?;
    w.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        413 => "Content Too Large",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        529 => "Overloaded",
        _ => "Status",
    }
}

/// 24 hex digits, unique within the process and unlikely to repeat across
/// processes. Not cryptographic: ids only need to differ between tool calls.
fn random_hex() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let seed = nanos ^ (u64::from(std::process::id()) << 40) ^ count.rotate_left(17);
    let a = splitmix64(seed);
    let b = splitmix64(a ^ count);
    format!("{a:016x}{:08x}", b >> 32)
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_distinct_and_hex() {
        let ids: std::collections::HashSet<String> = (0..1000).map(|_| random_hex()).collect();
        assert_eq!(ids.len(), 1000);
        assert!(ids
            .iter()
            .all(|id| id.len() == 24 && id.bytes().all(|b| b.is_ascii_hexdigit())));
    }

    #[test]
    fn scenario_round_trips() {
        let text = r#"{"turns":[
            {"tool_use":{"name":"Bash","input":{"command":"echo hi"}}},
            {"tool_uses":[{"name":"Read","input":{"file_path":"/a"}},{"name":"Read","input":{"file_path":"/b"}}]},
            {"text":"bye"},
            {"error":{"status":429,"type":"rate_limit_error","message":"slow"}},
            {"error":{}}
        ]}"#;
        let actions = Action::from_scenario_json(text).unwrap();
        assert_eq!(
            actions,
            vec![
                Action::bash("echo hi"),
                Action::ToolUses(vec![
                    ("Read".into(), json!({"file_path": "/a"})),
                    ("Read".into(), json!({"file_path": "/b"})),
                ]),
                Action::text("bye"),
                Action::rate_limited("slow"),
                Action::error(500, "api_error", "mock error"),
            ]
        );
        let back =
            json!({ "turns": actions.iter().map(Action::to_scenario_value).collect::<Vec<_>>() });
        assert_eq!(Action::from_scenario_value(&back).unwrap(), actions);
    }

    #[test]
    fn scenario_errors_name_the_turn() {
        for (text, needle) in [
            ("[]", "object"),
            (r#"{"turns":{}}"#, "array"),
            (r#"{"turns":[{"txt":"x"}]}"#, "turns[0]: unknown action"),
            (r#"{"turns":[{"text":"a"},{"text":1}]}"#, "turns[1]"),
            (r#"{"turns":[{"text":"a","error":{}}]}"#, "exactly one"),
            (r#"{"turns":[{"tool_use":{"input":{}}}]}"#, "name"),
            (r#"{"turns":[{"tool_uses":[]}]}"#, "empty"),
            (r#"{"turns":[{"error":{"status":42}}]}"#, "status"),
            ("{", "not JSON"),
        ] {
            let err = Action::from_scenario_json(text).unwrap_err();
            assert!(err.0.contains(needle), "{text}: {err}");
        }
        assert_eq!(Action::from_scenario_json("{}").unwrap(), vec![]);
    }

    #[test]
    fn logged_request_helpers() {
        let r = LoggedRequest {
            path: "/v1/messages".into(),
            main: true,
            body: json!({"messages": [
                {"role": "user", "content": "plain prompt"},
                {"role": "assistant", "content": [{"type": "tool_use", "id": "t", "name": "Bash", "input": {}}]},
                {"role": "user", "content": [
                    {"type": "tool_result", "tool_use_id": "t", "content": "out-1"},
                    {"type": "text", "text": "extra context"},
                ]},
            ]}),
            action: Action::text("x"),
        };
        assert_eq!(r.messages().len(), 3);
        assert_eq!(r.tool_results().len(), 1);
        let text = r.messages_text();
        for needle in ["plain prompt", "out-1", "extra context"] {
            assert!(text.contains(needle), "{text}");
        }
    }
}
