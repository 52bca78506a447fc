"""Ollama's routes [ref §2–§5]: the request checks in the order the real server makes them, the
status and text of each error, streamed and single replies, faults and cancellation."""
import hashlib
import json
import re
import sys
import threading
import time
import traceback
from datetime import datetime, timezone

import fake_generation as gen
from fake_http import ClientGone, Handler, log
from fake_models import normalize

ROUTES = {
    "/": ("GET", "HEAD"),
    "/api/version": ("GET", "HEAD"),
    "/api/tags": ("GET", "HEAD"),
    "/api/ps": ("GET",),
    "/api/show": ("POST",),
    "/api/chat": ("POST",),
    "/api/generate": ("POST",),
    "/api/pull": ("POST",),
}
THINK_LEVELS = ("low", "medium", "high", "max")
DEFAULT_KEEP_ALIVE_S = 300.0  # OLLAMA_KEEP_ALIVE 5m
BUSY = "server busy, please try again.  maximum pending requests exceeded"  # two spaces [ref §3]
MIDSTREAM_ERROR = "an error was encountered while running the model: unexpected EOF"
OUT_OF_MEMORY = "model requires more system memory (5.6 GiB) than is available (3.9 GiB)"
THINKING_TEXT = "The user wants a short caption. I look at the framing, the pose and the background first."


class BadRequest(Exception):
    """A 400 with Ollama's text."""


class State:
    """What the handler threads share: settings, the catalog, fault counting, model slots."""

    def __init__(self, args, catalog):
        self.args = args
        self.catalog = catalog
        self._lock = threading.Lock()
        self._generations = 0
        self._waiting = 0
        self._slots = {}

    def faults_for_next_generation(self):
        with self._lock:
            self._generations += 1
            n = self._generations
        return {kind for kind, at in self.args.fault if at is None or at == n}

    def slot(self, model):
        with self._lock:
            return self._slots.setdefault(model.name, threading.Semaphore(self.args.num_parallel))

    def enter_queue(self):
        with self._lock:
            if self._waiting >= self.args.max_queue:
                return False
            self._waiting += 1
            return True

    def leave_queue(self):
        with self._lock:
            self._waiting -= 1


def created_at():
    """RFC 3339 UTC with 9 fractional digits, as Go prints time.Now().UTC()."""
    ns = time.time_ns()
    moment = datetime.fromtimestamp(ns // 1_000_000_000, timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{ns % 1_000_000_000:09d}".rstrip("0").rstrip(".") + "Z"


def go_type(value):
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else "null"


def parse_keep_alive(value):
    """Seconds from a number or a Go duration string ("5m", "1h30m", "-1"); None when absent."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        if re.fullmatch(r"-?\d+(\.\d+)?", value):
            return float(value)
        units = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}
        sign = -1 if value.startswith("-") else 1
        parts = re.findall(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)", value.lstrip("+-"))
        if parts and "".join(n + u for n, u in parts) == value.lstrip("+-"):
            return sign * sum(float(n) * units[u] for n, u in parts)
        raise BadRequest(f'time: invalid duration "{value}"')
    raise BadRequest(f"json: cannot unmarshal {go_type(value)} into Go struct field .keep_alive of type string")


class OllamaHandler(Handler):
    state = None  # set by serve.py

    # -- dispatch -------------------------------------------------------------------------

    def do_GET(self):
        self.dispatch()

    def do_HEAD(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def dispatch(self):
        self.begin_request()
        path = self.path.split("?", 1)[0]
        self.sent_tokens = self.planned_tokens = 0
        try:
            methods = ROUTES.get(path)
            if methods is None:
                self.reply_text(404, "404 page not found")
            elif self.command not in methods:
                self.reply_text(405, "405 method not allowed")
            else:
                getattr(self, "route_" + (path.strip("/").replace("api/", "") or "root"))()
        except BadRequest as error:
            self.reply_error(400, str(error))
        except ClientGone:
            self.close_connection = True
            log("aborting completion request due to client closing the connection", source="server.go")
            progress = f" after {self.sent_tokens} of {self.planned_tokens} tokens" if self.planned_tokens else ""
            sys_note(f'{self.command} "{path}": the client closed the connection{progress}')
        except Exception as error:  # a bug in the double: say so the way Ollama reports a failure
            traceback.print_exc()
            self.close_connection = True
            if not self.streaming:
                self.reply_error(500, f"[fake] {type(error).__name__}: {error}")
        finally:
            self.log_finished()

    # -- small routes ---------------------------------------------------------------------

    def route_root(self):
        self.reply_text(200, "Ollama is running")

    def route_version(self):
        self.reply_json({"version": self.state.args.version})

    def route_tags(self):
        self.reply_json({"models": [m.tags_entry() for m in self.state.catalog.local()]})

    def route_ps(self):
        self.reply_json({"models": self.state.catalog.ps_entries()})

    def route_show(self):
        body = self.json_body("ShowRequest", {"model": str, "name": str})
        name = body.get("model") or body.get("name") or ""
        if not name:
            raise BadRequest("model is required")
        model = self.state.catalog.find(name)
        if model is None:
            # /api/show reports the normalized name [ref §5].
            self.reply_error(404, f"model '{normalize(name)}' not found")
            return
        self.reply_json(model.show_entry(not self.state.args.omit_capabilities))

    # -- request bodies -------------------------------------------------------------------

    def json_body(self, struct, fields):
        raw = self.read_body()
        if not raw.strip():
            raise BadRequest("missing request body")
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            at = raw.decode("utf-8", "replace")[getattr(error, "pos", 0):][:1] or "EOF"
            raise BadRequest(f"invalid character '{at}' looking for beginning of value")
        if not isinstance(body, dict):
            raise BadRequest(f"json: cannot unmarshal {go_type(body)} into Go value of type api.{struct}")
        for field, kind in fields.items():
            value = body.get(field)
            if value is not None and not (isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))):
                go_kind = {str: "string", bool: "bool", list: "[]", dict: "map"}.get(kind, kind.__name__)
                raise BadRequest(f"json: cannot unmarshal {go_type(value)} into Go struct field "
                                 f"{struct}.{field} of type {go_kind}")
        return body

    def images_of(self, images):
        if images is None:
            return []
        if not isinstance(images, list):
            raise BadRequest(f"json: cannot unmarshal {go_type(images)} into Go struct field .images of type []api.ImageData")
        try:
            return [gen.decode_image(image) for image in images]
        except TypeError:
            raise BadRequest("json: cannot unmarshal non-string into Go struct field .images of type api.ImageData")
        except gen.Base64Error as error:
            raise BadRequest(str(error))

    # -- chat and generate ----------------------------------------------------------------

    def route_chat(self):
        body = self.json_body("ChatRequest", {"model": str, "messages": list, "stream": bool})
        messages = body.get("messages") or []
        images, parts = [], []
        for message in messages:
            if not isinstance(message, dict):
                raise BadRequest("json: cannot unmarshal non-object into Go struct field ChatRequest.messages of type api.Message")
            images += self.images_of(message.get("images"))
            parts.append(f"{message.get('role', '')}: {message.get('content') or ''}")
        self.generate_reply(body, "chat", "\n".join(parts), images, load_only=not messages)

    def route_generate(self):
        body = self.json_body("GenerateRequest", {"model": str, "prompt": str, "system": str, "stream": bool,
                                                  "raw": bool, "template": str})
        images = self.images_of(body.get("images"))
        if body.get("raw") and (body.get("system") or body.get("template") or body.get("context")):
            raise BadRequest("raw mode does not support template, system, or context")
        prompt = "\n".join(p for p in (body.get("system"), body.get("prompt")) if p)
        self.generate_reply(body, "generate", prompt, images, load_only=not body.get("prompt") and not images)

    def generate_reply(self, body, kind, prompt, images, load_only):
        name = body.get("model") or ""
        if not name:
            raise BadRequest("model is required")
        keep_alive = parse_keep_alive(body.get("keep_alive"))
        model = self.state.catalog.find(name)
        if model is None:
            self.reply_error(404, f"model '{name}' not found")  # as sent [ref §0 trap 1]
            return
        if "completion" not in model.capabilities:
            raise BadRequest(f'"{name}" does not support {kind}')
        thinking = self.thinking_wanted(body.get("think"), model, name)
        if model.name.startswith("llama3.2-vision") and len(images) > 1:
            raise BadRequest("this model only supports one image while more than one image requested")
        stream = body.get("stream", True) is not False  # the server's default is true [ref §0 trap 2]
        keep_alive_s = DEFAULT_KEEP_ALIVE_S if keep_alive is None else keep_alive

        if load_only:
            self.ensure_loaded(model)
            self.state.catalog.keep_loaded(model, keep_alive_s)
            reply = {"model": name, "created_at": created_at()}
            reply.update({"message": {"role": "assistant", "content": ""}} if kind == "chat" else {"response": ""})
            reply.update({"done": True, "done_reason": "unload" if keep_alive_s == 0 else "load"})
            self.reply_json(reply)
            return

        faults = self.state.faults_for_next_generation()
        if "busy" in faults or not self.state.enter_queue():
            self.reply_error(503, BUSY)
            return
        slot = self.state.slot(model)
        try:
            # Requests beyond OLLAMA_NUM_PARALLEL wait in a FIFO queue; a client that leaves
            # while waiting drops out of it [ref §5 Concurrency].
            while not slot.acquire(timeout=0.05):
                if self.client_gone():
                    raise ClientGone()
        finally:
            self.state.leave_queue()
        try:
            self.run_generation(body, kind, name, model, prompt, images, stream, thinking, faults, keep_alive_s)
        finally:
            slot.release()

    def thinking_wanted(self, think, model, name):
        """Thinking models think unless told not to (v0.12.4+) [ref §0 trap 7]."""
        if think is not None and not isinstance(think, bool) and think not in THINK_LEVELS:
            raise BadRequest(f'invalid think value: "{think}" (must be "high", "medium", "low", true, or false)')
        wanted = think if think is not None else "thinking" in model.capabilities
        if wanted and "thinking" not in model.capabilities:
            if think is None:
                return False
            raise BadRequest(f'"{name}" does not support thinking')
        return bool(wanted)

    def ensure_loaded(self, model):
        """Returns the load time in ns: --load-ms when the model was not loaded."""
        start = time.monotonic_ns()
        if not self.state.catalog.is_loaded(model):
            self.pause(self.state.args.load_ms)
        return time.monotonic_ns() - start

    def run_generation(self, body, kind, name, model, prompt, images, stream, thinking, faults, keep_alive_s):
        args = self.state.args
        start = time.monotonic_ns()
        if "server-error" in faults:
            self.reply_error(500, OUT_OF_MEMORY)
            return
        load_ns = self.ensure_loaded(model)
        prompt_start = time.monotonic_ns()
        self.pause(args.first_byte_ms)
        prompt_ns = time.monotonic_ns() - prompt_start

        text = gen.answer(prompt, images, sees_images=model.vision)
        answer_tokens = gen.tokens(text)
        done_reason = "stop"
        limit = (body.get("options") or {}).get("num_predict")
        if "length" in faults:
            limit = max(1, len(answer_tokens) // 3)
        if isinstance(limit, int) and 0 < limit < len(answer_tokens):
            answer_tokens, done_reason = answer_tokens[:limit], "length"
        steps = [("thinking", t) for t in (gen.tokens(THINKING_TEXT) if thinking else [])]
        steps += [("content", t) for t in answer_tokens]
        # Faults strike halfway, after at least one line was written [ref §3].
        strike_at = max(1, len(steps) // 2)
        broken = faults & {"mid-stream-error", "cut-stream", "drop-connection"}

        eval_start = time.monotonic_ns()
        sent = {"thinking": "", "content": ""}
        self.planned_tokens = len(steps)
        for index, (field, token) in enumerate(steps):
            if broken and index == strike_at:
                self.break_generation(next(iter(broken)), stream)
                return
            self.pause(args.delay_ms)
            sent[field] += token
            if stream:
                self.stream_line(self.chunk(kind, name, field, token))
            self.sent_tokens = index + 1
        self.state.catalog.keep_loaded(model, keep_alive_s)

        final = self.chunk(kind, name, "content", "")
        final["done"] = True
        final["done_reason"] = done_reason
        if kind == "generate" and not body.get("raw"):
            final["context"] = gen.context_tokens(prompt, "".join(t for _, t in steps))
        metrics = {"total_duration": time.monotonic_ns() - start, "load_duration": load_ns,
                   "prompt_eval_count": gen.prompt_token_count(prompt, len(images) if model.vision else 0),
                   "prompt_eval_duration": prompt_ns, "eval_count": len(answer_tokens),
                   "eval_duration": time.monotonic_ns() - eval_start}
        final.update({k: v for k, v in metrics.items() if v})  # omitempty [ref §0 trap 6]
        if stream:
            self.stream_line(final)
            self.stream_end()
        else:
            self.fill_whole_reply(final, kind, sent)
            self.reply_json(final)

    def chunk(self, kind, name, field, token):
        if kind == "chat":
            message = {"role": "assistant", "content": token if field == "content" else ""}
            if field == "thinking":
                message["thinking"] = token
            return {"model": name, "created_at": created_at(), "message": message, "done": False}
        line = {"model": name, "created_at": created_at(), "response": token if field == "content" else ""}
        if field == "thinking":
            line["thinking"] = token
        line["done"] = False
        return line

    @staticmethod
    def fill_whole_reply(final, kind, sent):
        """stream:false: one object holding the whole text [ref §2 writeChatResponse]."""
        if kind == "chat":
            final["message"]["content"] = sent["content"]
            if sent["thinking"]:
                final["message"]["thinking"] = sent["thinking"]
        else:
            final["response"] = sent["content"]
            if sent["thinking"]:
                final["thinking"] = sent["thinking"]

    def break_generation(self, fault, stream):
        if fault == "drop-connection" or (not stream and fault == "cut-stream"):
            sys_note(f'{self.command} "{self.path}": --fault {fault}: closing the connection mid-reply')
            self.drop_connection()
        elif not stream:
            self.reply_error(500, MIDSTREAM_ERROR)  # every error is a status without streaming
        elif fault == "mid-stream-error":
            self.stream_line({"error": MIDSTREAM_ERROR})  # no done line follows [ref §0 trap 3]
            self.stream_end()
            self.close_connection = True
        else:  # cut-stream: the body ends cleanly but without its done line
            self.stream_end()

    # -- pull -----------------------------------------------------------------------------

    def route_pull(self):
        body = self.json_body("PullRequest", {"model": str, "name": str, "stream": bool})
        name = body.get("model") or body.get("name") or ""
        if not name:
            raise BadRequest("model is required")
        stream = body.get("stream", True) is not False
        model = self.state.catalog.find_pullable(name)
        if model is None:
            missing = "pull model manifest: file does not exist"
            if stream:
                self.stream_line({"status": "pulling manifest"})
                self.stream_line({"error": missing})
                self.stream_end()
            else:
                self.reply_error(500, missing)
            return
        lines = [{"status": "pulling manifest"}]
        for digest, total in pull_layers(model):
            for step in range(5):
                line = {"status": f"pulling {digest[:12]}", "digest": f"sha256:{digest}", "total": total}
                if step:
                    line["completed"] = total * step // 4  # left out while 0 [ref §5]
                lines.append(line)
        lines += [{"status": "verifying sha256 digest"}, {"status": "writing manifest"}, {"status": "success"}]
        for line in lines:
            self.pause(self.state.args.delay_ms)
            if stream:
                self.stream_line(line)
        self.state.catalog.mark_pulled(model)
        if stream:
            self.stream_end()
        else:
            self.reply_json({"status": "success"})


def pull_layers(model):
    """The blobs of a model: weights, (projector), template, params."""
    def digest(part):
        return hashlib.sha256(f"{model.name}/{part}".encode("utf-8")).hexdigest()

    layers = [(model.digest, model.size - 1_600)]
    if model.projector:
        layers.append((digest("projector"), 624_434_336))
    return layers + [(digest("template"), 1_429), (digest("params"), 171)]


def sys_note(text):
    """The double's own remarks, marked [fake] so they cannot be taken for Ollama's."""
    sys.stderr.write(f"[fake] {text}\n")
    sys.stderr.flush()
