//! The OTLP/HTTP receiver of the tests: `otlp/receiver.py`, built on the
//! official protobuf definitions (PyPI `opentelemetry-proto`), run with a
//! Python that has them (HOOKWATCH_OTLP_PYTHON, else `.venv-otel/bin/python`
//! in the workspace, which scripts/test creates). Every request it got is a
//! JSON line: path, encoding, status answered, the decoded message.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("HOOKWATCH_OTLP_PYTHON") {
        return PathBuf::from(p);
    }
    let p = crate::claude::workspace_root().join(".venv-otel/bin/python");
    assert!(
        p.exists(),
        "the OTLP receiver needs Python with opentelemetry-proto: run scripts/test (it creates .venv-otel), or `python3 -m venv .venv-otel && .venv-otel/bin/pip install opentelemetry-proto==1.45.2`, or set HOOKWATCH_OTLP_PYTHON"
    );
    p
}

pub struct Collector {
    child: Option<Child>,
    pub port: u16,
    dir: tempfile::TempDir,
    /// Export requests recorded before this process started (the
    /// receiver's own count starts at 0 with each process).
    base: usize,
}

impl Collector {
    pub fn start() -> Collector {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("script.json"), "[]").unwrap();
        let mut c = Collector {
            child: None,
            port: 0,
            dir,
            base: 0,
        };
        c.spawn(0);
        c
    }

    fn spawn(&mut self, port: u16) {
        self.base = self.export_requests();
        let script = crate::claude::workspace_root().join("crates/testkit/otlp/receiver.py");
        let mut child = Command::new(python())
            .arg(&script)
            .args(["--port", &port.to_string()])
            .arg("--out")
            .arg(self.out())
            .arg("--script")
            .arg(self.dir.path().join("script.json"))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the OTLP receiver");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let p: u16 = line
            .trim()
            .strip_prefix("listening ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("receiver said {line:?}"));
        self.port = p;
        self.child = Some(child);
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("requests.jsonl")
    }

    pub fn out_path(&self) -> &Path {
        self.dir.path()
    }

    fn export_requests(&self) -> usize {
        self.requests()
            .iter()
            .filter(|r| r["path"].as_str().is_some_and(|p| p.starts_with("/v1/")))
            .count()
    }

    /// The answers to the next requests, in order (see receiver.py).
    pub fn script(&self, entries: Value) {
        let answered = self.export_requests() - self.base;
        let mut list = vec![Value::Null; answered];
        list.extend(entries.as_array().cloned().unwrap_or_default());
        let tmp = self.dir.path().join("script.json.tmp");
        std::fs::write(&tmp, Value::Array(list).to_string()).unwrap();
        std::fs::rename(&tmp, self.dir.path().join("script.json")).unwrap();
    }

    /// Stop answering: the port is closed.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Start again on the same port.
    pub fn restart(&mut self) {
        self.stop();
        let port = self.port;
        self.spawn(port);
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Value> {
        std::fs::read_to_string(self.out())
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// Wait until `done` holds for the requests so far (or panic).
    pub fn wait_for(
        &self,
        what: &str,
        timeout: Duration,
        mut tick: impl FnMut(),
        done: impl Fn(&[Value]) -> bool,
    ) -> Vec<Value> {
        let start = Instant::now();
        loop {
            let r = self.requests();
            if done(&r) {
                return r;
            }
            if start.elapsed() > timeout {
                panic!("timed out waiting for {what}; received: {r:#?}");
            }
            tick();
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The attributes of a decoded message (MessageToDict form) as a map of
/// key → the value's JSON (`{"stringValue": …}` flattened to the value).
pub fn attrs(list: &Value) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    for kv in list.as_array().into_iter().flatten() {
        let key = kv["key"].as_str().unwrap_or_default().to_string();
        let v = &kv["value"];
        let flat = [
            "string_value",
            "int_value",
            "bool_value",
            "double_value",
            "stringValue",
            "intValue",
            "boolValue",
            "doubleValue",
        ]
        .iter()
        .find_map(|k| v.get(*k).cloned())
        .unwrap_or(Value::Null);
        m.insert(key, flat);
    }
    m
}
