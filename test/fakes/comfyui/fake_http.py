"""HTTP/1.1 and WebSocket (RFC 6455) on asyncio streams, standard library only.

Only what a ComfyUI client exercises: keep-alive, Content-Length and chunked request
bodies, one response per request, and WebSocket text/binary/ping/pong/close frames. The
server never offers permessage-deflate (a client must then send uncompressed frames).
"""
import asyncio
import base64
import hashlib
import json
import struct
import sys
import urllib.parse
from email.utils import formatdate
from http import HTTPStatus

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
SERVER_HEADER = f"Python/{sys.version_info.major}.{sys.version_info.minor} fake-comfyui"


class BadRequest(Exception):
    pass


class BodyTooLarge(Exception):
    def __init__(self, limit, actual):
        super().__init__(f"Maximum request body size {limit} exceeded, actual body size {actual}")


class Request:
    def __init__(self, method, target, version, headers, body, peer):
        self.method = method
        self.version = version
        self.headers = headers  # lower-case name -> first value
        self.body = body
        self.peer = peer
        raw_path, _, raw_query = target.partition("?")
        self.raw_path = raw_path
        self.path = urllib.parse.unquote(raw_path)
        self.query_pairs = urllib.parse.parse_qsl(raw_query, keep_blank_values=True)
        self.match_info = {}

    def query(self, name, default=None):
        for key, value in self.query_pairs:
            if key == name:
                return value
        return default

    def has_query(self, name):
        return any(key == name for key, _ in self.query_pairs)

    def json(self):
        # aiohttp's request.json() ignores Content-Type [ref §0]
        return json.loads(self.body.decode("utf-8"))

    def multipart(self):
        """{name: str} for plain fields and {name: (filename, bytes)} for file parts."""
        ctype = self.headers.get("content-type", "")
        params = _header_params(ctype)
        boundary = params.get("boundary")
        if not ctype.lower().startswith("multipart/") or not boundary:
            # aiohttp's post() reads url-encoded forms too.
            return dict(urllib.parse.parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))
        fields = {}
        delimiter = b"--" + boundary.encode("latin-1")
        for part in self.body.split(delimiter)[1:]:
            if part.startswith(b"--"):
                break
            if part.startswith(b"\r\n"):
                part = part[2:]
            head, _, data = part.partition(b"\r\n\r\n")
            if data.endswith(b"\r\n"):
                data = data[:-2]
            headers = {}
            for line in head.decode("utf-8", "replace").split("\r\n"):
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            disposition = _header_params(headers.get("content-disposition", ""))
            name = disposition.get("name")
            if name is None or name in fields:
                continue
            if "filename" in disposition:
                fields[name] = (disposition["filename"], data)
            else:
                fields[name] = data.decode("utf-8", "replace")
        return fields


def _header_params(value):
    params = {}
    for piece in value.split(";")[1:]:
        key, _, val = piece.strip().partition("=")
        val = val.strip()
        if len(val) >= 2 and val[0] == val[-1] == '"':
            val = val[1:-1].replace('\\"', '"')
        params[key.strip().lower()] = val
    return params


class Response:
    def __init__(self, status=200, body=b"", content_type=None, headers=None):
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = dict(headers or {})


def json_response(data, status=200):
    # aiohttp's json_response: json.dumps with default separators
    return Response(status, json.dumps(data).encode("utf-8"), "application/json; charset=utf-8")


def text_response(text, status):
    return Response(status, text.encode("utf-8"), "text/plain; charset=utf-8")


async def read_request(reader, peer, max_body):
    """One request from the stream, or None at end of stream."""
    line = await reader.readline()
    if not line:
        return None
    try:
        method, target, version = line.decode("latin-1").rstrip("\r\n").split(" ", 2)
    except ValueError:
        raise BadRequest("bad request line")
    headers = {}
    while True:
        line = await reader.readline()
        if not line:
            return None
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers.setdefault(name.strip().lower(), value.strip())
    body = b""
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        size_total = 0
        while True:
            size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass
                break
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
            size_total += size
        body = b"".join(chunks)
        if size_total > max_body:
            raise BodyTooLarge(max_body, size_total)
    elif "content-length" in headers:
        length = int(headers["content-length"])
        if length > max_body:
            # Read and drop it, so the reply can be written on a clean stream.
            remaining = length
            while remaining > 0:
                chunk = await reader.read(min(remaining, 1 << 20))
                if not chunk:
                    break
                remaining -= len(chunk)
            raise BodyTooLarge(max_body, length)
        body = await reader.readexactly(length)
    return Request(method, target, version, headers, body, peer)


def encode_response(response, head_only=False):
    reason = HTTPStatus(response.status).phrase if response.status in HTTPStatus._value2member_map_ else ""
    lines = [f"HTTP/1.1 {response.status} {reason}"]
    headers = dict(response.headers)
    if response.content_type is not None:
        headers.setdefault("Content-Type", response.content_type)
    headers["Content-Length"] = str(len(response.body))
    headers.setdefault("Date", formatdate(usegmt=True))
    headers.setdefault("Server", SERVER_HEADER)
    lines += [f"{k}: {v}" for k, v in headers.items()]
    data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return data if head_only else data + response.body


# ------------------------------------------------------------------ WebSocket

def websocket_accept(key):
    return base64.b64encode(hashlib.sha1((key + WS_GUID).encode("ascii")).digest()).decode("ascii")


class WebSocket:
    """The server end of one WebSocket connection."""

    TEXT, BINARY, CLOSE, PING, PONG = 0x1, 0x2, 0x8, 0x9, 0xA

    def __init__(self, reader, writer):
        self.reader = reader
        self.writer = writer
        self.closed = False

    def _frame(self, opcode, payload):
        n = len(payload)
        if n < 126:
            header = struct.pack(">BB", 0x80 | opcode, n)
        elif n < (1 << 16):
            header = struct.pack(">BBH", 0x80 | opcode, 126, n)
        else:
            header = struct.pack(">BBQ", 0x80 | opcode, 127, n)
        return header + payload

    def _write(self, opcode, payload):
        if self.closed or self.writer.is_closing():
            raise ConnectionResetError("Cannot write to closing transport")
        self.writer.write(self._frame(opcode, payload))

    async def send_str(self, text):
        self._write(self.TEXT, text.encode("utf-8"))

    async def send_bytes(self, data):
        self._write(self.BINARY, bytes(data))

    async def drain(self):
        if not self.closed and not self.writer.is_closing():
            await self.writer.drain()

    async def _read_frame(self):
        b1, b2 = await self.reader.readexactly(2)
        fin, opcode = b1 & 0x80, b1 & 0x0F
        masked, length = b2 & 0x80, b2 & 0x7F
        if length == 126:
            (length,) = struct.unpack(">H", await self.reader.readexactly(2))
        elif length == 127:
            (length,) = struct.unpack(">Q", await self.reader.readexactly(8))
        mask = await self.reader.readexactly(4) if masked else None
        payload = await self.reader.readexactly(length)
        if mask:
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        return bool(fin), opcode, payload

    async def messages(self):
        """Yields (opcode, payload) for whole text/binary messages; answers pings and closes."""
        parts, first_opcode = [], None
        try:
            while not self.closed:
                fin, opcode, payload = await self._read_frame()
                if opcode == self.PING:
                    self._write(self.PONG, payload)
                elif opcode == self.PONG:
                    pass
                elif opcode == self.CLOSE:
                    code = payload[:2] if len(payload) >= 2 else struct.pack(">H", 1000)
                    try:
                        self._write(self.CLOSE, code)
                    except ConnectionResetError:
                        pass
                    self.closed = True
                    return
                else:
                    if opcode != 0:
                        first_opcode, parts = opcode, []
                    parts.append(payload)
                    if fin:
                        yield first_opcode, b"".join(parts)
                        parts = []
        except (asyncio.IncompleteReadError, ConnectionError):
            self.closed = True

    def close_transport(self):
        self.closed = True
        self.writer.close()
