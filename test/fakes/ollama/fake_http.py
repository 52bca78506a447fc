"""HTTP/1.1 plumbing on http.server: replies shaped like Go's net/http (no Server header, JSON
with `application/json; charset=utf-8`), chunked NDJSON streams flushed per line, watching for
a client that closed its connection, and the request log lines Ollama prints."""
import json
import select
import socket
import sys
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler

JSON_TYPE = "application/json; charset=utf-8"
NDJSON_TYPE = "application/x-ndjson"
TEXT_TYPE = "text/plain; charset=utf-8"


class ClientGone(Exception):
    """The client closed the connection (an AbortController on fetch) [ref §5 Cancellation]."""


def log(message, level="INFO", source="routes.go"):
    """A line in the shape of Ollama's slog output."""
    now = datetime.now().astimezone().isoformat(timespec="milliseconds")
    sys.stderr.write(f'time={now} level={level} source={source} msg="{message}"\n')
    sys.stderr.flush()


def go_json(data):
    """Go's json.Marshal: compact, UTF-8, with <, > and & escaped (they only occur in strings)."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").encode("utf-8")


def go_duration(ns):
    """Go's Duration.String() for the request log: 850µs, 12.5ms, 2.9s."""
    if ns < 1_000:
        return f"{ns}ns"
    if ns < 1_000_000:
        return f"{ns / 1e3:g}µs"
    if ns < 1_000_000_000:
        return f"{ns / 1e6:g}ms"
    return f"{ns / 1e9:g}s"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, and chunked streams

    def begin_request(self):
        """Per request, not per connection: one handler serves every request of a keep-alive connection."""
        self.started_ns = time.monotonic_ns()
        self.status = 0
        self.streaming = False

    # -- requests -------------------------------------------------------------------------

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    # -- plain replies --------------------------------------------------------------------

    def _head(self, status, content_type, length=None):
        self.status = status
        self.send_response_only(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Date", self.date_time_string())
        if length is None:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(length))
        self.end_headers()

    def reply(self, status, body, content_type):
        self._head(status, content_type, len(body))
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()

    def reply_json(self, data, status=200):
        self.reply(status, go_json(data), JSON_TYPE)

    def reply_error(self, status, text):
        self.reply_json({"error": text}, status)

    def reply_text(self, status, text):
        self.reply(status, text.encode("utf-8"), TEXT_TYPE)

    # -- NDJSON streams -------------------------------------------------------------------

    def stream_line(self, data):
        """One NDJSON line as one chunk, flushed; the headers go out with the first line, so an
        error before it can still be a status [ref §3 streamResponse]."""
        if not self.streaming:
            self.streaming = True
            self._head(200, NDJSON_TYPE)
        line = go_json(data) + b"\n"
        try:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError) as error:
            raise ClientGone() from error

    def stream_end(self):
        if not self.streaming:
            return
        try:
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def drop_connection(self):
        """Closes the socket mid-reply, as a crashed server or a broken proxy would."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # -- watching the client --------------------------------------------------------------

    def client_gone(self, timeout=0.0):
        """True once the client has closed its end (readable with nothing to read)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], timeout)
            if not readable:
                return False
            if self.connection.recv(1, socket.MSG_PEEK) == b"":
                return True
            time.sleep(timeout)  # a pipelined request waits; the client is still there
            return False
        except (OSError, ValueError):
            return True

    def pause(self, ms):
        """Sleeps `ms`, watching the connection; raises ClientGone as soon as the client leaves."""
        deadline = time.monotonic() + ms / 1000.0
        while True:
            remaining = deadline - time.monotonic()
            if self.client_gone(max(0.0, min(remaining, 0.05))):
                raise ClientGone()
            if remaining <= 0:
                return

    # -- logging --------------------------------------------------------------------------

    def log_request(self, code="-", size="-"):
        pass  # logged once the reply is finished, as gin does (see log_finished)

    def log_message(self, format, *args):
        pass

    def log_finished(self):
        """gin's request line: `[GIN] 2026/03/01 - 10:00:02 | 200 | 2.9s | 127.0.0.1 | POST "/api/chat"`."""
        elapsed = go_duration(time.monotonic_ns() - self.started_ns)
        stamp = datetime.now().strftime("%Y/%m/%d - %H:%M:%S")
        peer = self.client_address[0] if self.client_address else "-"
        sys.stderr.write(f'[GIN] {stamp} | {self.status or 500:3d} | {elapsed:>13} | {peer:>15} | '
                         f'{self.command:<8} "{self.path}"\n')
        sys.stderr.flush()
