#!/usr/bin/env python3
"""OTLP/HTTP receiver for tests, built on the official protobuf definitions.

    python receiver.py --port PORT --out FILE [--script SCRIPT]

Needs `opentelemetry-proto` (PyPI; pulls `protobuf`), otherwise only the
standard library (Python 3.9+).

- Binds 127.0.0.1:PORT (0 = any free port; SO_REUSEADDR, so a test can kill
  the receiver and start it again on the same port), then prints exactly
  `listening <port>` on stdout once it accepts connections.
- POST /v1/logs, /v1/metrics, /v1/traces take Export{Logs,Metrics,Trace}-
  ServiceRequest as `application/x-protobuf` or `application/json` (OTLP/JSON:
  hex trace/span ids, which are turned into proto3 JSON's base64 before
  parsing), optionally with `Content-Encoding: gzip` (or deflate). Unknown
  fields are ignored, as OTLP asks of receivers; a body that does not parse
  is answered 400 (a google.rpc.Status naming the error).
- Every request is appended to --out as one JSON line (open, write, flush,
  close for each, before the answer is sent, so a reader never sees half a
  line and a client that got its answer finds its line already there):

    {"n": <script index, or null>, "path": "/v1/logs",
     "encoding": "json" | "protobuf" | null, "status": <status answered>,
     "headers": {<lower-case name>: <value>},
     "body": <MessageToDict(request, preserving_proto_field_name=True)>,
     "error": <why it was refused; only when it was>}

  In "body", trace_id / span_id / parent_span_id are lower-case hex (as in
  OTLP/JSON); int64/fixed64 values are strings, as MessageToDict gives them.
  "body" is null when the request could not be decoded.
- --script: a JSON list, re-read on every request (a test may rewrite it at
  any time; write it to a temporary file and rename it over the old one to be
  safe). The receiver counts the export requests (the three paths together,
  from 0, in order of arrival; other paths and methods do not count), and
  request n is answered by entry n, or by a plain 200 when the list is
  shorter. The count starts again at 0 when the receiver is restarted.
  Entries:
    {"status": 503, "retry_after": "1"}   that status (+ Retry-After), empty
                                          body; the request is still decoded
                                          and recorded with that status
    {"status": 429}
    {"partial": {"rejected": 2, "message": "bad record"}}
                                          200 with partial_success set
    {"sleep": 3.0}                        wait, then answer (200 unless the
                                          entry also has "status"/"partial")
    {} or null                            plain 200
  A request that cannot be decoded is answered 400 whatever its entry says
  (the entry is used up all the same).
- 2xx answers are an Export*ServiceResponse in the request's encoding
  (protobuf, or JSON); a plain 200 is the empty response message.
"""

import argparse
import base64
import binascii
import gzip
import json
import re
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from google.protobuf import json_format
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

# path -> (request class, response class, partial-success count field)
ROUTES = {
    "/v1/logs": (
        logs_service_pb2.ExportLogsServiceRequest,
        logs_service_pb2.ExportLogsServiceResponse,
        "rejected_log_records",
    ),
    "/v1/metrics": (
        metrics_service_pb2.ExportMetricsServiceRequest,
        metrics_service_pb2.ExportMetricsServiceResponse,
        "rejected_data_points",
    ),
    "/v1/traces": (
        trace_service_pb2.ExportTraceServiceRequest,
        trace_service_pb2.ExportTraceServiceResponse,
        "rejected_spans",
    ),
}

# OTLP/JSON spells these as hex; proto3 JSON (json_format) wants base64.
ID_KEYS_JSON = ("traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id")
ID_KEYS_OUT = ("trace_id", "span_id", "parent_span_id")
HEX = re.compile(r"^(?:[0-9a-fA-F]{2})*$")

CT_PROTOBUF = "application/x-protobuf"
CT_JSON = "application/json"

# google.rpc.Code
INVALID_ARGUMENT = 3
UNIMPLEMENTED = 12


class BadRequest(Exception):
    """The request body cannot be decoded (answered 400)."""


def hex_ids_to_base64(node):
    """OTLP/JSON -> proto3 JSON: hex ids anywhere in the tree become base64."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k in ID_KEYS_JSON and isinstance(v, str):
                if not HEX.match(v):
                    raise BadRequest("%s is not hex: %r" % (k, v[:80]))
                out[k] = base64.b64encode(bytes.fromhex(v)).decode("ascii")
            else:
                out[k] = hex_ids_to_base64(v)
        return out
    if isinstance(node, list):
        return [hex_ids_to_base64(v) for v in node]
    return node


def base64_ids_to_hex(node):
    """MessageToDict output: base64 ids anywhere in the tree become hex."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k in ID_KEYS_OUT and isinstance(v, str):
                out[k] = base64.b64decode(v).hex()
            else:
                out[k] = base64_ids_to_hex(v)
        return out
    if isinstance(node, list):
        return [base64_ids_to_hex(v) for v in node]
    return node


def _no_duplicates(pairs):
    seen = {}
    for k, v in pairs:
        if k in seen:
            raise BadRequest("duplicate JSON key %r" % k)
        seen[k] = v
    return seen


def decode(req_cls, encoding, raw):
    """Parse `raw` into a new req_cls message, or raise BadRequest."""
    msg = req_cls()
    if encoding == "protobuf":
        try:
            msg.ParseFromString(raw)
        except Exception as e:  # google.protobuf.message.DecodeError and kin
            raise BadRequest("protobuf: %s" % (e or type(e).__name__))
        return msg
    try:
        text = raw.decode("utf-8")
        tree = json.loads(text, object_pairs_hook=_no_duplicates)
    except BadRequest:
        raise
    except Exception as e:
        raise BadRequest("json: %s" % e)
    if not isinstance(tree, dict):
        raise BadRequest("json: top level is %s, not an object" % type(tree).__name__)
    tree = hex_ids_to_base64(tree)
    try:
        json_format.ParseDict(tree, msg, ignore_unknown_fields=True)
    except Exception as e:  # json_format.ParseError, and odd shapes
        raise BadRequest("json: %s" % e)
    return msg


def _varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def rpc_status(code, message, encoding):
    """A google.rpc.Status (code, message), hand-encoded: OTLP's error body."""
    if encoding == "protobuf":
        m = message.encode("utf-8")
        return b"\x08" + _varint(code) + b"\x12" + _varint(len(m)) + m
    return json.dumps({"code": code, "message": message}).encode("utf-8")


class Script:
    """The fault script plus the count of export requests seen."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.count = 0

    def next(self):
        """(index, entry) for the next export request; entry may be None."""
        with self.lock:
            n = self.count
            self.count += 1
        if not self.path:
            return n, None
        entries = self._read()
        if isinstance(entries, list) and n < len(entries):
            return n, entries[n]
        return n, None

    def _read(self):
        # A test may be rewriting the file right now: retry a torn read.
        last = None
        for _ in range(20):
            try:
                with open(self.path, "r", encoding="utf-8") as f:
                    return json.load(f)
            except FileNotFoundError:
                return None
            except ValueError as e:
                last = e
                time.sleep(0.025)
        sys.stderr.write("receiver: script %s unreadable: %s\n" % (self.path, last))
        sys.stderr.flush()
        return None


class Recorder:
    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()

    def write(self, record):
        line = json.dumps(record, sort_keys=False) + "\n"
        with self.lock:
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(line)
                f.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as exporters expect
    server_version = "otlp-test-receiver"
    sys_version = ""

    # quiet: no per-request lines on stderr
    def log_message(self, format, *args):  # noqa: A002 (signature is fixed)
        pass

    def log_error(self, format, *args):  # noqa: A002
        pass

    # -- plumbing ---------------------------------------------------------

    def _headers(self):
        out = {}
        for k, v in self.headers.items():
            k = k.lower()
            out[k] = v if k not in out else out[k] + ", " + v
        return out

    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size_line = self.rfile.readline(65537)
                size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    # trailers, up to the empty line
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)  # CRLF after the chunk
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, status, body=b"", content_type=None, extra=()):
        self.send_response(status)
        if content_type and (body or 200 <= status < 300):
            self.send_header("Content-Type", content_type)
        for k, v in extra:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)
        self.wfile.flush()

    def _record(self, n, encoding, status, body, error=None):
        rec = {
            "n": n,
            "path": self.path,
            "encoding": encoding,
            "status": status,
            "headers": self._headers(),
            "body": body,
        }
        if error is not None:
            rec["error"] = error
        self.server.recorder.write(rec)

    # -- methods ----------------------------------------------------------

    def _not_allowed(self):
        try:
            self._read_body()
        except Exception:
            pass
        self._record(None, None, 405, None, "method %s not allowed" % self.command)
        self._send(405, b"method not allowed\n", "text/plain", [("Allow", "POST")])

    do_GET = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _not_allowed

    def do_POST(self):
        try:
            raw = self._read_body()
        except Exception as e:
            self._record(None, None, 400, None, "reading the body: %s" % e)
            self._send(400, b"bad body\n", "text/plain", [("Connection", "close")])
            self.close_connection = True
            return

        ctype = (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        encoding = {CT_PROTOBUF: "protobuf", CT_JSON: "json"}.get(ctype)
        resp_ctype = CT_PROTOBUF if encoding == "protobuf" else CT_JSON

        route = ROUTES.get(self.path.split("?", 1)[0])
        if route is None:
            self._record(None, encoding, 404, None, "no such path")
            self._send(404, rpc_status(UNIMPLEMENTED, "no such path: " + self.path, encoding),
                       resp_ctype)
            return
        req_cls, resp_cls, rejected_field = route

        n, entry = self.server.script.next()
        if not isinstance(entry, dict):
            entry = {}

        if encoding is None:
            err = "unsupported content type %r" % ctype
            self._record(n, None, 415, None, err)
            self._send(415, err.encode("utf-8") + b"\n", "text/plain")
            return

        # decode
        body, error = None, None
        try:
            content_encoding = (self.headers.get("Content-Encoding") or "identity").strip().lower()
            if content_encoding == "gzip":
                try:
                    raw = gzip.decompress(raw)
                except Exception as e:
                    raise BadRequest("gzip: %s" % e)
            elif content_encoding == "deflate":
                try:
                    raw = zlib.decompress(raw)
                except Exception as e:
                    raise BadRequest("deflate: %s" % e)
            elif content_encoding not in ("", "identity"):
                raise BadRequest("unsupported Content-Encoding %r" % content_encoding)
            msg = decode(req_cls, encoding, raw)
            body = base64_ids_to_hex(
                json_format.MessageToDict(msg, preserving_proto_field_name=True))
        except BadRequest as e:
            error = str(e)

        if "sleep" in entry:
            try:
                time.sleep(float(entry["sleep"]))
            except (TypeError, ValueError):
                pass

        if error is not None:
            self._record(n, encoding, 400, None, error)
            self._send(400, rpc_status(INVALID_ARGUMENT, error, encoding), resp_ctype)
            return

        status = int(entry.get("status", 200))
        extra = []
        if entry.get("retry_after") is not None:
            extra.append(("Retry-After", str(entry["retry_after"])))

        if 200 <= status < 300:
            resp = resp_cls()
            partial = entry.get("partial")
            if isinstance(partial, dict):
                ps = resp.partial_success
                setattr(ps, rejected_field, int(partial.get("rejected", 0)))
                ps.error_message = str(partial.get("message", ""))
                # an all-default partial_success would not be serialized;
                # SetInParent keeps the field present in protobuf
                resp.partial_success.SetInParent()
            if encoding == "protobuf":
                out = resp.SerializeToString()
            else:
                out = json.dumps(json_format.MessageToDict(resp),
                                 separators=(",", ":")).encode("utf-8")
        else:
            out = b""

        self._record(n, encoding, status, body)
        self._send(status, out, resp_ctype, extra)


class Server(ThreadingHTTPServer):
    allow_reuse_address = True
    daemon_threads = True

    def handle_error(self, request, client_address):
        # clients that time out or hang up mid-answer are expected in tests
        pass


def main(argv=None):
    ap = argparse.ArgumentParser(description="OTLP/HTTP receiver for tests")
    ap.add_argument("--port", type=int, required=True, help="port on 127.0.0.1; 0 picks one")
    ap.add_argument("--out", required=True, help="append one JSON line per request here")
    ap.add_argument("--script", help="JSON list of fault entries, re-read per request")
    args = ap.parse_args(argv)

    server = Server(("127.0.0.1", args.port), Handler)
    server.recorder = Recorder(args.out)
    server.script = Script(args.script)
    sys.stdout.write("listening %d\n" % server.server_address[1])
    sys.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
