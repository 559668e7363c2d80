//! The stand-in's HTTP behaviour, checked with raw sockets so framing bugs
//! (keep-alive, chunked bodies, malformed input) show up here rather than
//! as a hanging CLI in the end-to-end tests.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use hookwatch_testkit::{Action, ApiStandin};
use serde_json::{json, Value};

struct Conn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

#[derive(Debug)]
struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    /// (event name, data) pairs of an SSE body.
    fn events(&self) -> Vec<(String, Value)> {
        self.body
            .split("\n\n")
            .filter(|e| !e.is_empty())
            .map(|e| {
                let (ev, data) = e.split_once('\n').expect("event and data lines");
                let name = ev.strip_prefix("event: ").expect("event line").to_owned();
                let data = data.strip_prefix("data: ").expect("data line");
                (name, serde_json::from_str(data).unwrap())
            })
            .collect()
    }
}

impl Conn {
    fn open(standin: &ApiStandin) -> Conn {
        let s = TcpStream::connect(("127.0.0.1", standin.port())).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        Conn {
            reader: BufReader::new(s.try_clone().unwrap()),
            writer: s,
        }
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
    }

    fn post(&mut self, path: &str, body: &Value) -> Resp {
        let body = body.to_string();
        let req = format!(
            "POST {path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        self.send_raw(req.as_bytes());
        self.read_response()
    }

    fn read_response(&mut self) -> Resp {
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap();
        let status = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("bad status line {line:?}"));
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            self.reader.read_line(&mut h).unwrap();
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            let (k, v) = h.split_once(':').unwrap();
            headers.push((k.to_owned(), v.trim().to_owned()));
        }
        let len: usize = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .map(|(_, v)| v.parse().unwrap())
            .expect("every response has content-length");
        let mut body = vec![0; len];
        self.reader.read_exact(&mut body).unwrap();
        Resp {
            status,
            headers,
            body: String::from_utf8(body).unwrap(),
        }
    }

    /// True once the server has closed the connection.
    fn is_closed(&mut self) -> bool {
        let mut b = [0u8; 1];
        matches!(self.reader.read(&mut b), Ok(0) | Err(_))
    }
}

fn main_turn(stream: bool) -> Value {
    json!({
        "model": "claude-test",
        "stream": stream,
        "tools": [{"name": "Bash", "input_schema": {}}],
        "messages": [{"role": "user", "content": "hi"}],
    })
}

fn side_request() -> Value {
    json!({ "model": "claude-test", "stream": false, "messages": [{"role": "user", "content": "title?"}] })
}

#[test]
fn keep_alive_streams_script_in_order() {
    let standin = ApiStandin::start(vec![
        Action::bash("echo hi"),
        Action::ToolUses(vec![
            ("Read".into(), json!({"file_path": "/a"})),
            ("Read".into(), json!({"file_path": "/b"})),
        ]),
        Action::text("bye"),
    ])
    .unwrap();
    let mut c = Conn::open(&standin);

    let r = c.post("/v1/messages?beta=true", &main_turn(true));
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/event-stream"));
    let names: Vec<String> = r.events().into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "message_start",
            "content_block_start",
            "content_block_delta",
            "content_block_stop",
            "message_delta",
            "message_stop"
        ]
    );
    let ev = r.events();
    let block = &ev[1].1["content_block"];
    assert_eq!(block["type"], "tool_use");
    assert_eq!(block["name"], "Bash");
    assert!(block["id"].as_str().unwrap().starts_with("toolu_"));
    let delta = &ev[2].1["delta"];
    assert_eq!(delta["type"], "input_json_delta");
    let input: Value = serde_json::from_str(delta["partial_json"].as_str().unwrap()).unwrap();
    assert_eq!(input, json!({"command": "echo hi"}));
    assert_eq!(ev[4].1["delta"]["stop_reason"], "tool_use");
    assert_eq!(ev[0].1["message"]["model"], "claude-test");

    // Same connection: the second and third turns.
    let ev = c.post("/v1/messages?beta=true", &main_turn(true)).events();
    let starts: Vec<&Value> = ev
        .iter()
        .filter(|(n, _)| n == "content_block_start")
        .map(|(_, d)| d)
        .collect();
    assert_eq!(starts.len(), 2);
    assert_eq!(starts[1]["index"], 1);
    assert_ne!(
        starts[0]["content_block"]["id"],
        starts[1]["content_block"]["id"]
    );

    let ev = c.post("/v1/messages?beta=true", &main_turn(true)).events();
    assert_eq!(
        ev[2].1["delta"],
        json!({"type": "text_delta", "text": "bye"})
    );
    assert_eq!(ev[4].1["delta"]["stop_reason"], "end_turn");

    assert_eq!(standin.remaining_actions(), 0);
    let log = standin.requests();
    assert_eq!(log.len(), 3);
    assert!(log
        .iter()
        .all(|r| r.main && r.path == "/v1/messages?beta=true"));
    assert_eq!(log[0].action, Action::bash("echo hi"));
    assert_eq!(log[0].body["model"], "claude-test");
}

#[test]
fn side_requests_do_not_consume_the_script() {
    let standin = ApiStandin::start(vec![Action::text("scripted")]).unwrap();
    let mut c = Conn::open(&standin);
    let r = c.post("/v1/messages", &side_request()).json();
    assert_eq!(r["content"][0]["text"], "ok");
    // An empty tools array is not a main-loop turn either.
    let mut empty_tools = main_turn(false);
    empty_tools["tools"] = json!([]);
    c.post("/v1/messages", &empty_tools);

    let r = c.post("/v1/messages", &main_turn(false)).json();
    assert_eq!(r["type"], "message");
    assert_eq!(r["role"], "assistant");
    assert_eq!(r["stop_reason"], "end_turn");
    assert_eq!(r["content"][0]["text"], "scripted");
    assert!(r["id"].as_str().unwrap().starts_with("msg_"));

    // Exhausted script.
    let r = c.post("/v1/messages", &main_turn(false)).json();
    assert_eq!(r["content"][0]["text"], "All done.");

    assert_eq!(standin.requests().len(), 4);
    assert_eq!(standin.main_requests().len(), 2);
}

#[test]
fn non_stream_tool_use() {
    let standin = ApiStandin::start(vec![Action::read("/etc/hostname")]).unwrap();
    let r = Conn::open(&standin)
        .post("/v1/messages", &main_turn(false))
        .json();
    assert_eq!(r["stop_reason"], "tool_use");
    assert_eq!(r["content"][0]["name"], "Read");
    assert_eq!(
        r["content"][0]["input"],
        json!({"file_path": "/etc/hostname"})
    );
}

#[test]
fn errors_carry_status_body_and_retry_after() {
    let standin = ApiStandin::start(vec![
        Action::rate_limited("slow down"),
        Action::error(401, "authentication_error", "bad key"),
    ])
    .unwrap();
    let mut c = Conn::open(&standin);
    let r = c.post("/v1/messages?beta=true", &main_turn(true));
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("0"));
    assert_eq!(
        r.json(),
        json!({"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}})
    );
    let r = c.post("/v1/messages?beta=true", &main_turn(true));
    assert_eq!(r.status, 401);
    assert_eq!(r.header("retry-after"), None);
    assert_eq!(r.json()["error"]["type"], "authentication_error");
    // The connection stays usable after an error reply.
    assert_eq!(
        c.post("/v1/messages", &main_turn(false)).json()["content"][0]["text"],
        "All done."
    );
}

#[test]
fn other_paths_and_methods() {
    let standin = ApiStandin::start(vec![Action::text("kept")]).unwrap();
    let mut c = Conn::open(&standin);
    c.send_raw(b"GET /v1/models HTTP/1.1\r\nhost: x\r\n\r\n");
    let r = c.read_response();
    assert_eq!((r.status, r.body.as_str()), (200, "{}"));
    c.send_raw(b"HEAD / HTTP/1.1\r\nhost: x\r\n\r\n");
    let r = c.read_response();
    assert_eq!((r.status, r.body.as_str()), (200, ""));
    let r = c.post("/v1/messages/count_tokens?beta=true", &main_turn(false));
    assert_eq!(r.json(), json!({"input_tokens": 10}));
    assert!(standin.requests().is_empty());
    assert_eq!(standin.remaining_actions(), 1);
}

#[test]
fn chunked_request_body() {
    let standin = ApiStandin::start(vec![Action::text("chunked ok")]).unwrap();
    let body = main_turn(false).to_string();
    let (a, b) = body.split_at(body.len() / 2);
    let mut req =
        String::from("POST /v1/messages HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n");
    for part in [a, b] {
        req.push_str(&format!("{:x};ext=1\r\n{part}\r\n", part.len()));
    }
    req.push_str("0\r\nx-trailer: y\r\n\r\n");
    let mut c = Conn::open(&standin);
    c.send_raw(req.as_bytes());
    assert_eq!(c.read_response().json()["content"][0]["text"], "chunked ok");
    assert_eq!(standin.main_requests()[0].body, main_turn(false));
    // Framing stayed in sync: the connection still works.
    assert_eq!(
        c.post("/v1/messages", &main_turn(false)).json()["content"][0]["text"],
        "All done."
    );
}

#[test]
fn malformed_requests_get_400_and_the_server_survives() {
    let standin = ApiStandin::start(vec![Action::text("still alive")]).unwrap();
    let cases: &[&[u8]] = &[
        b"garbage\r\n\r\n",
        b"GET / HTTP/2.0\r\n\r\n",
        b"GET / HTTP/1.1 extra\r\n\r\n",
        b"POST /v1/messages HTTP/1.1\r\ncontent-length: nope\r\n\r\n",
        b"POST /v1/messages HTTP/1.1\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\n",
        b"POST /v1/messages HTTP/1.1\r\nno colon here\r\n\r\n",
        b"POST /v1/messages HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
        b"\xff\xfe / HTTP/1.1\r\n\r\n",
    ];
    for case in cases {
        let mut c = Conn::open(&standin);
        c.send_raw(case);
        let r = c.read_response();
        assert_eq!(r.status, 400, "{}", String::from_utf8_lossy(case));
        assert_eq!(r.json()["type"], "error");
        assert!(c.is_closed(), "{}", String::from_utf8_lossy(case));
    }

    // A non-JSON body on /v1/messages is well-framed: 400, connection kept.
    let mut c = Conn::open(&standin);
    c.send_raw(b"POST /v1/messages HTTP/1.1\r\ncontent-length: 5\r\n\r\nnope!");
    let r = c.read_response();
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["type"], "invalid_request_error");

    // Too-large declared body.
    let mut c = Conn::open(&standin);
    c.send_raw(b"POST /v1/messages HTTP/1.1\r\ncontent-length: 999999999999\r\n\r\n");
    assert_eq!(c.read_response().status, 413);

    // Peers that vanish mid-request.
    for partial in [
        &b"POST /v1/messages HTTP/1.1\r\ncontent-length: 100\r\n\r\n{\"a"[..],
        b"POST /v1/mess",
        b"",
    ] {
        let mut c = Conn::open(&standin);
        c.send_raw(partial);
        c.writer.shutdown(Shutdown::Both).unwrap();
    }

    let r = Conn::open(&standin).post("/v1/messages", &main_turn(false));
    assert_eq!(r.json()["content"][0]["text"], "still alive");
}

#[test]
fn connection_close_is_honoured() {
    let standin = ApiStandin::start(vec![]).unwrap();
    let mut c = Conn::open(&standin);
    c.send_raw(b"GET / HTTP/1.1\r\nconnection: close\r\n\r\n");
    let r = c.read_response();
    assert_eq!(r.header("connection"), Some("close"));
    assert!(c.is_closed());
    let mut c = Conn::open(&standin);
    c.send_raw(b"GET / HTTP/1.0\r\n\r\n");
    c.read_response();
    assert!(c.is_closed());
}

#[test]
fn concurrent_connections_each_get_one_action() {
    let n = 16;
    let script = (0..n).map(|i| Action::text(&format!("t{i}"))).collect();
    let standin = ApiStandin::start(script).unwrap();
    let texts: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..n)
            .map(|_| {
                s.spawn(|| {
                    let r = Conn::open(&standin).post("/v1/messages", &main_turn(false));
                    r.json()["content"][0]["text"].as_str().unwrap().to_owned()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut sorted = texts.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), n);
    // The log order is the order actions were handed out.
    let logged: Vec<Action> = standin.requests().into_iter().map(|r| r.action).collect();
    let expected: Vec<Action> = (0..n).map(|i| Action::text(&format!("t{i}"))).collect();
    assert_eq!(logged, expected);
}

#[test]
fn drop_closes_idle_keep_alive_connections() {
    let standin = ApiStandin::start(vec![]).unwrap();
    let port = standin.port();
    let mut c = Conn::open(&standin);
    c.post("/v1/messages", &main_turn(false));
    let t = std::time::Instant::now();
    drop(standin);
    assert!(t.elapsed() < Duration::from_secs(2));
    assert!(c.is_closed());
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
}

#[test]
fn binary_serves_a_scenario_and_logs_jsonl() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("scenario.json");
    let log = dir.path().join("log.jsonl");
    std::fs::write(
        &scenario,
        r#"{"turns":[{"tool_use":{"name":"Bash","input":{"command":"echo x"}}}]}"#,
    )
    .unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_api-standin"))
        .arg("0")
        .arg(&scenario)
        .arg(&log)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line
        .trim()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"));

    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut c = Conn {
        reader: BufReader::new(s.try_clone().unwrap()),
        writer: s,
    };
    let r = c.post("/v1/messages?beta=true", &main_turn(false)).json();
    assert_eq!(r["content"][0]["input"]["command"], "echo x");
    c.send_raw(b"GET /health HTTP/1.1\r\n\r\n");
    c.read_response();
    child.kill().unwrap();
    child.wait().unwrap();

    let lines: Vec<Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["main"], true);
    assert_eq!(lines[0]["n_messages"], 1);
    assert_eq!(
        lines[0]["action"],
        json!({"tool_use": {"name": "Bash", "input": {"command": "echo x"}}})
    );
    assert_eq!(lines[0]["messages"][0]["content"], "hi");
    assert_eq!(lines[1], json!({"method": "GET", "path": "/health"}));
}

#[test]
fn binary_rejects_bad_scenarios() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("scenario.json");
    std::fs::write(&scenario, r#"{"turns":[{"bogus":1}]}"#).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_api-standin"))
        .arg("0")
        .arg(&scenario)
        .arg(dir.path().join("log.jsonl"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("turns[0]"));
}
