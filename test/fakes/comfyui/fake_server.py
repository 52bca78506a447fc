"""The PromptServer of the double: middleware, routes (each at /x and /api/x), the
WebSocket endpoint and the message pump [ref §0, §1, §2]."""
import asyncio
import gzip
import hashlib
import ipaddress
import json
import logging
import mimetypes
import os
import socket
import struct
import sys
import threading
import urllib.parse
import uuid

import fake_executor
import fake_http
import fake_images
import fake_nodes
from fake_http import Response, json_response, text_response

COMFYUI_VERSION = "0.3.64"
FRONTEND_VERSION = "1.27.10"
TEMPLATES_VERSION = "0.1.95"

# aiohttp's reply when a handler raises [ref §0 "Body that is not valid JSON"]
INTERNAL_ERROR = "500 Internal Server Error\n\nServer got itself in trouble"
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


# ------------------------------------------------------------------ origin check [ref §0]

def is_loopback(host):
    if host is None:
        return False
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    loopback = False
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            for _, _, _, _, sockaddr in socket.getaddrinfo(host, None, family, socket.SOCK_STREAM):
                if not ipaddress.ip_address(sockaddr[0]).is_loopback:
                    return loopback
                loopback = True
        except socket.gaierror:
            pass
    return loopback


def origin_mismatch(headers):
    """True when Host is loopback and its host part differs from Origin's (ports compared only
    when both carry one): the request a web page could forge. Logs like the real server."""
    if "host" not in headers or "origin" not in headers:
        return False
    host_domain = headers["host"].lower()
    parsed = urllib.parse.urlparse(headers["origin"])
    origin_domain = parsed.netloc.lower()
    host_parsed = urllib.parse.urlsplit("//" + host_domain)
    loopback = is_loopback(host_parsed.hostname)
    if parsed.port is None:
        host_domain = host_parsed.hostname
    if host_parsed.port is None:
        origin_domain = parsed.hostname
    if loopback and host_domain and origin_domain and host_domain != origin_domain:
        logging.warning("WARNING: request with non matching host and origin {} != {}, returning 403".format(
            host_domain, origin_domain))
        return True
    return False


# ------------------------------------------------------------------ the server

class PromptServer:
    def __init__(self, args, folders, loop):
        self.args = args
        self.folders = folders
        self.loop = loop
        self.max_upload_size = round(args.max_upload_size * 1024 * 1024)
        self.sockets = {}
        self.sockets_metadata = {}
        self.messages = asyncio.Queue()
        self.client_id = None
        self.last_node_id = None
        self.last_prompt_id = None
        self.number = 0
        self._interrupt = False
        self._interrupt_lock = threading.Lock()
        self.prompt_queue = fake_executor.PromptQueue(self)
        self.routes = {}
        self._add_routes()

    # -- messages (server.py send / send_sync / publish_loop) --------------------------

    def send_sync(self, event, data, sid=None):
        """From any thread: queue an event for the event loop, which sends them in order."""
        self.loop.call_soon_threadsafe(self.messages.put_nowait, (event, data, sid))

    def queue_updated(self):
        self.send_sync("status", {"status": self.get_queue_info()})

    def get_queue_info(self):
        return {"exec_info": {"queue_remaining": self.prompt_queue.get_tasks_remaining()}}

    async def publish_loop(self):
        while True:
            event, data, sid = await self.messages.get()
            try:
                await self.send(event, data, sid)
            finally:
                self.messages.task_done()

    async def send(self, event, data, sid=None):
        if event == 1:
            # PREVIEW_IMAGE: event type, image format 1 (JPEG), image bytes [ref §2 Binary frames]
            await self._send_bytes(struct.pack(">II", 1, 1) + data, sid)
        elif event == 4:
            # PREVIEW_IMAGE_WITH_METADATA: event type, metadata length, metadata JSON, image
            image, metadata = data
            meta = json.dumps({**metadata, "image_type": "image/jpeg"}).encode("utf-8")
            await self._send_bytes(struct.pack(">II", 4, len(meta)) + meta + image, sid)
        else:
            await self._send_text(json.dumps({"type": event, "data": data}), sid)

    async def _send_text(self, text, sid):
        for ws in self._targets(sid):
            await _catch_send(ws.send_str, text)

    async def _send_bytes(self, data, sid):
        for ws in self._targets(sid):
            await _catch_send(ws.send_bytes, data)

    def _targets(self, sid):
        # sid None is a broadcast; an unknown sid is dropped silently [ref §2 Addressing rules]
        if sid is None:
            return list(self.sockets.values())
        return [self.sockets[sid]] if sid in self.sockets else []

    def supports_preview_metadata(self, sid):
        meta = self.sockets_metadata.get(sid)
        return meta is not None and meta.get("feature_flags", {}).get("supports_preview_metadata", False) is True

    def feature_flags(self):
        # comfy_api/feature_flags.py: max_upload_size is MB * 1024 * 1024 (a float)
        return {"supports_preview_metadata": True, "max_upload_size": self.args.max_upload_size * 1024 * 1024}

    # -- interrupt flag (comfy.model_management) ------------------------------------

    def set_interrupt(self):
        with self._interrupt_lock:
            self._interrupt = True

    def clear_interrupt(self):
        with self._interrupt_lock:
            self._interrupt = False

    def take_interrupt(self):
        with self._interrupt_lock:
            value, self._interrupt = self._interrupt, False
            return value

    def exit_abruptly(self, code):
        """--fake-fault die: let the frames already queued reach the sockets, then vanish
        without cleanup, like a process killed mid-run [ref §6.5]."""
        async def drain():
            await self.messages.join()
            for ws in list(self.sockets.values()):
                await ws.drain()
        try:
            asyncio.run_coroutine_threadsafe(drain(), self.loop).result(timeout=5)
        except Exception:
            pass
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)

    # -- connections --------------------------------------------------------------------

    async def handle_connection(self, reader, writer):
        peer = (writer.get_extra_info("peername") or ("127.0.0.1",))[0]
        try:
            while True:
                try:
                    request = await fake_http.read_request(reader, peer, self.max_upload_size)
                except fake_http.BodyTooLarge as too_large:
                    writer.write(fake_http.encode_response(text_response(str(too_large), 413)))
                    await writer.drain()
                    break
                except fake_http.BadRequest:
                    writer.write(fake_http.encode_response(text_response("400: Bad Request", 400)))
                    break
                if request is None:
                    break
                response = await self.dispatch(request, reader, writer)
                if response is None:  # the connection became a WebSocket and has ended
                    break
                writer.write(fake_http.encode_response(response, head_only=request.method == "HEAD"))
                await writer.drain()
                if request.headers.get("connection", "").lower() == "close" or request.version == "HTTP/1.0":
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except Exception:
            logging.debug("connection from %s dropped", peer, exc_info=True)  # e.g. a header line over the limit
        finally:
            try:
                writer.close()
            except Exception:
                pass

    async def dispatch(self, request, reader, writer):
        """Middleware (origin check or CORS), routing, errors, cache headers."""
        cors = self.args.enable_cors_header
        if not cors and origin_mismatch(request.headers):
            return self._cache_headers(request, Response(403))
        if request.method == "OPTIONS":
            response = Response(200)
        else:
            handler = self._match(request)
            try:
                if handler is None:
                    if request.method in ("GET", "HEAD"):
                        # the static route "/" answers every other path
                        response = Response(404, b"", "application/octet-stream")
                    else:
                        response = text_response("405: Method Not Allowed", 405)
                elif handler == "websocket":
                    return await self.websocket(request, reader, writer)
                else:
                    response = await handler(request)
            except Exception:
                logging.exception(f"Error handling request from {request.peer}")
                response = text_response(INTERNAL_ERROR, 500)
        if cors:
            response.headers["Access-Control-Allow-Origin"] = cors
            response.headers["Access-Control-Allow-Methods"] = "POST, GET, DELETE, PUT, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type, Authorization"
            response.headers["Access-Control-Allow-Credentials"] = "true"
        if (self.args.enable_compress_response_body and response.body
                and "gzip" in request.headers.get("accept-encoding", "")
                and (response.content_type or "").split(";")[0] in ("application/json", "text/plain")):
            response.body = gzip.compress(response.body)
            response.headers["Content-Encoding"] = "gzip"
        return self._cache_headers(request, response)

    @staticmethod
    def _cache_headers(request, response):
        # middleware/cache_middleware.py [ref §0 Cache headers]
        name = request.path.rsplit("/", 1)[-1]
        if request.path.endswith((".js", ".css")) or (name.startswith("index") and name.endswith(".json")):
            response.headers.setdefault("Cache-Control", "no-cache")
        elif request.path.lower().endswith(IMAGE_EXTENSIONS):
            if response.status == 404:
                response.headers.setdefault("Cache-Control", "public, max-age=3600")
            elif response.status in (200, 201, 202, 203, 204, 205, 206, 301, 308):
                response.headers.setdefault("Cache-Control", "public, max-age=86400")
            elif response.status in (302, 303, 307):
                response.headers.setdefault("Cache-Control", "no-cache")
        return response

    def _match(self, request):
        method = "GET" if request.method == "HEAD" else request.method
        segments = request.path.split("/")
        for (route_method, pattern), handler in self.routes.items():
            if route_method != method:
                continue
            parts = pattern.split("/")
            if len(parts) != len(segments):
                continue
            info = {}
            for p, s in zip(parts, segments):
                if p.startswith("{"):
                    if not s:
                        break
                    info[p[1:-1]] = s
                elif p != s:
                    break
            else:
                request.match_info = info
                return handler
        return None

    # -- the WebSocket endpoint [ref §2 Connecting] ------------------------------------

    async def websocket(self, request, reader, writer):
        upgrade = request.headers.get("upgrade")
        if (upgrade or "").lower() != "websocket":
            return text_response(f'No WebSocket UPGRADE hdr: {upgrade}\n Can "Upgrade" only to "WebSocket".', 400)
        key = request.headers.get("sec-websocket-key")
        if not key or request.headers.get("sec-websocket-version") != "13":
            return text_response("400: Bad Request", 400)
        writer.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n"
                      f"Sec-WebSocket-Accept: {fake_http.websocket_accept(key)}\r\n"
                      f"Date: {fake_http.formatdate(usegmt=True)}\r\nServer: {fake_http.SERVER_HEADER}\r\n\r\n")
                     .encode("latin-1"))
        ws = fake_http.WebSocket(reader, writer)
        sid = request.query("clientId", "")
        if sid:
            # Reusing a clientId drops the old socket from the map without closing it.
            self.sockets.pop(sid, None)
        else:
            sid = uuid.uuid4().hex
        self.sockets[sid] = ws
        self.sockets_metadata[sid] = {"feature_flags": {}}
        try:
            await self.send("status", {"status": self.get_queue_info(), "sid": sid}, sid)
            if self.client_id == sid and self.last_node_id is not None:
                await self.send("executing", {"node": self.last_node_id}, sid)
            first_message = True
            async for opcode, payload in ws.messages():
                if opcode != fake_http.WebSocket.TEXT:
                    continue
                text = payload.decode("utf-8", "replace")
                try:
                    data = json.loads(text)
                    if first_message and data.get("type") == "feature_flags":
                        self.sockets_metadata[sid]["feature_flags"] = data.get("data", {})
                        await self.send("feature_flags", self.feature_flags(), sid)
                        logging.debug(f"Feature flags negotiated for client {sid}: {data.get('data', {})}")
                    first_message = False
                except json.JSONDecodeError:
                    logging.warning(f"Invalid JSON received from client {sid}: {text}")
                except Exception as e:
                    logging.error(f"Error processing WebSocket message: {e}")
        finally:
            # Removes the entry even when a newer socket took this sid: the upstream
            # behaviour that unregisters the new socket [ref §2 Reusing a clientId].
            self.sockets.pop(sid, None)
            self.sockets_metadata.pop(sid, None)
            ws.close_transport()
        return None

    # -- routes [ref §1] -------------------------------------------------------------

    def _add_routes(self):
        table = [
            ("GET", "/ws", "websocket"),
            ("GET", "/embeddings", self.get_embeddings),
            ("GET", "/models", self.list_model_types),
            ("GET", "/models/{folder}", self.get_models),
            ("GET", "/extensions", self.get_extensions),
            ("POST", "/upload/image", self.upload_image),
            ("POST", "/upload/mask", self.upload_mask),
            ("GET", "/view", self.view_image),
            ("GET", "/view_metadata/{folder_name}", self.view_metadata),
            ("GET", "/system_stats", self.system_stats),
            ("GET", "/features", self.get_features),
            ("GET", "/prompt", self.get_prompt),
            ("GET", "/object_info", self.get_object_info),
            ("GET", "/object_info/{node_class}", self.get_object_info_node),
            ("GET", "/history", self.get_history),
            ("GET", "/history/{prompt_id}", self.get_history_prompt_id),
            ("GET", "/queue", self.get_queue),
            ("POST", "/prompt", self.post_prompt),
            ("POST", "/queue", self.post_queue),
            ("POST", "/interrupt", self.post_interrupt),
            ("POST", "/free", self.post_free),
            ("POST", "/history", self.post_history),
        ]
        # Every route twice: at its path and under /api [ref §0 /api prefix].
        for method, path, handler in table:
            self.routes[(method, "/api" + path)] = handler
        for method, path, handler in table:
            self.routes[(method, path)] = handler
        self.routes[("GET", "/")] = self.get_root  # static, not mirrored

    async def get_root(self, request):
        body = (b"<!doctype html><html><head><title>ComfyUI</title></head>"
                b"<body>StudioNOVA's ComfyUI test double has no frontend.</body></html>")
        return Response(200, body, "text/html",
                        {"Cache-Control": "no-cache", "Pragma": "no-cache", "Expires": "0"})

    async def get_embeddings(self, request):
        return json_response([os.path.splitext(a)[0] for a in self.folders.filename_list("embeddings")])

    async def list_model_types(self, request):
        return json_response(list(self.folders.folders.keys()))

    async def get_models(self, request):
        folder = request.match_info["folder"]
        if folder not in self.folders.folders:
            return Response(404)  # legacy "clip"/"unet" too
        return json_response(self.folders.filename_list(folder))

    async def get_extensions(self, request):
        return json_response([])  # no frontend, no custom nodes

    def _dir_by_type(self, dir_type):
        if dir_type is None:
            dir_type = "input"
        if dir_type == "input":
            type_dir = self.folders.input
        elif dir_type == "temp":
            type_dir = self.folders.temp
        elif dir_type == "output":
            type_dir = self.folders.output
        # Any other type leaves type_dir unbound: UnboundLocalError, a 500 [ref §1 upload]
        return type_dir, dir_type

    def _image_upload(self, post, save=None):
        image = post.get("image")
        overwrite = post.get("overwrite")
        duplicate = False
        upload_dir, upload_type = self._dir_by_type(post.get("type"))
        if not isinstance(image, tuple):
            return Response(400)
        filename, data = image
        if not filename:
            return Response(400)
        subfolder = post.get("subfolder", "")
        full_output_folder = os.path.join(upload_dir, os.path.normpath(subfolder))
        filepath = os.path.abspath(os.path.join(full_output_folder, filename))
        if os.path.commonpath((upload_dir, filepath)) != upload_dir:
            return Response(400)
        os.makedirs(full_output_folder, exist_ok=True)
        stem, ext = os.path.splitext(filename)
        if overwrite not in ("true", "1"):
            i = 1
            while os.path.exists(filepath):
                # Same bytes: reuse the name; other bytes: "cat (1).png", "cat (2).png", ...
                with open(filepath, "rb") as f:
                    if self._hash(f.read()) == self._hash(data):
                        duplicate = True
                        break
                filename = f"{stem} ({i}){ext}"
                filepath = os.path.join(full_output_folder, filename)
                i += 1
        if not duplicate:
            if save is not None:
                save(data, post, filepath)
            else:
                with open(filepath, "wb") as f:
                    f.write(data)
        return json_response({"name": filename, "subfolder": subfolder, "type": upload_type})

    def _hash(self, data):
        return hashlib.new(self.args.default_hashing_function, data).hexdigest()

    async def upload_image(self, request):
        return self._image_upload(request.multipart())

    async def upload_mask(self, request):
        post = request.multipart()

        def save(data, post, filepath):
            # The real server copies the upload's alpha onto the original image with Pillow;
            # without Pillow the double stores the upload itself. A missing original_ref
            # still raises (500), as upstream.
            json.loads(post.get("original_ref"))
            with open(filepath, "wb") as f:
                f.write(data)
        return self._image_upload(post, save)

    async def view_image(self, request):
        # The checks in their upstream order [ref §1 GET /view]
        if not request.has_query("filename"):
            return Response(404)
        filename, output_dir = self.folders.annotated_filepath(request.query("filename"))
        if not filename:
            return Response(400)
        if filename[0] == "/" or ".." in filename:
            return Response(400)
        if output_dir is None:
            output_dir = self.folders.directory_by_type(request.query("type", "output"))
        if output_dir is None:
            return Response(400)
        if request.has_query("subfolder"):
            full_output_dir = os.path.join(output_dir, request.query("subfolder"))
            if os.path.commonpath((os.path.abspath(full_output_dir), output_dir)) != output_dir:
                return Response(403)
            output_dir = full_output_dir
        filename = os.path.basename(filename)
        file = os.path.join(output_dir, filename)
        if not os.path.isfile(file):
            return Response(404)
        with open(file, "rb") as f:
            data = f.read()
        disposition = {"Content-Disposition": f'filename="{filename}"'}
        if request.has_query("preview"):
            # No JPEG/WebP encoder here: a JPEG preview is a fixed small JPEG, a WebP one the file as is.
            preview_format = request.query("preview").split(";")[0]
            if preview_format == "jpeg" and "a" not in request.query("channel", ""):
                return Response(200, fake_images.PREVIEW_JPEG, "image/jpeg", disposition)
            return Response(200, data, mimetypes.guess_type(filename)[0] or "application/octet-stream", disposition)
        channel = request.query("channel", "rgba")
        if channel in ("rgb", "a"):
            return Response(200, data, "image/png", disposition)  # our PNGs are RGB already
        content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        if content_type in {"text/html", "text/html-sandboxed", "application/xhtml+xml", "text/javascript",
                            "text/css"}:
            content_type = "application/octet-stream"  # forced download, as upstream
        return Response(200, data, content_type, disposition)

    async def view_metadata(self, request):
        folder_name = request.match_info["folder_name"]
        filename = request.query("filename")
        if filename is None or not filename.endswith(".safetensors"):
            return Response(404)
        path = self.folders.full_path(folder_name, filename)
        if path is None:
            return Response(404)
        try:
            with open(path, "rb") as f:
                (length,) = struct.unpack("<Q", f.read(8))
                if length > 1024 * 1024:
                    return Response(404)
                header = json.loads(f.read(length))
        except (OSError, struct.error, ValueError):
            return Response(404)
        if "__metadata__" not in header:
            return Response(404)
        return json_response(header["__metadata__"])

    async def system_stats(self, request):
        ram_total, ram_free = _memory()
        if self.args.cpu:
            device = {"name": "cpu", "type": "cpu", "index": None, "vram_total": ram_total, "vram_free": ram_free,
                      "torch_vram_total": ram_total, "torch_vram_free": ram_free}
        else:
            # Without --cpu the double claims one CUDA GPU, so GPU paths of a client get exercised.
            device = {"name": "cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync", "type": "cuda", "index": 0,
                      "vram_total": 25393692672, "vram_free": 24000000000,
                      "torch_vram_total": 0, "torch_vram_free": 0}
        return json_response({
            "system": {
                "os": os.name,
                "ram_total": ram_total,
                "ram_free": ram_free,
                "comfyui_version": COMFYUI_VERSION,
                "required_frontend_version": FRONTEND_VERSION,
                "installed_templates_version": TEMPLATES_VERSION,
                "required_templates_version": TEMPLATES_VERSION,
                "python_version": sys.version,
                "pytorch_version": pytorch_version(self.args),
                "embedded_python": False,
                "argv": sys.argv,
            },
            "devices": [device],
        })

    async def get_features(self, request):
        return json_response(self.feature_flags())

    async def get_prompt(self, request):
        return json_response(self.get_queue_info())

    async def get_object_info(self, request):
        return json_response({cls: fake_nodes.resolve_definition(cls, self.folders) for cls in fake_nodes.NODE_TABLE})

    async def get_object_info_node(self, request):
        node_class = request.match_info["node_class"]
        if node_class not in fake_nodes.NODE_TABLE:
            return json_response({})
        return json_response({node_class: fake_nodes.resolve_definition(node_class, self.folders)})

    async def get_history(self, request):
        max_items = request.query("max_items")
        if max_items is not None:
            max_items = int(max_items)  # not an integer: ValueError, a 500
        offset = request.query("offset")
        offset = int(offset) if offset is not None else -1
        return json_response(self.prompt_queue.get_history(max_items=max_items, offset=offset))

    async def get_history_prompt_id(self, request):
        return json_response(self.prompt_queue.get_history(prompt_id=request.match_info["prompt_id"]))

    async def get_queue(self, request):
        running, pending = self.prompt_queue.get_current_queue_volatile()
        return json_response({"queue_running": running, "queue_pending": pending})

    async def post_prompt(self, request):
        logging.info("got prompt")
        json_data = request.json()
        if "number" in json_data:
            number = float(json_data["number"])
        else:
            number = self.number
            if "front" in json_data and json_data["front"]:
                number = -number
            self.number += 1
        if "prompt" not in json_data:
            error = {"type": "no_prompt", "message": "No prompt provided", "details": "No prompt provided",
                     "extra_info": {}}
            return json_response({"error": error, "node_errors": {}}, status=400)
        prompt = json_data["prompt"]
        prompt_id = str(json_data.get("prompt_id", uuid.uuid4()))
        partial = json_data.get("partial_execution_targets") if "partial_execution_targets" in json_data else None
        valid = fake_nodes.validate_prompt(prompt, partial, self.folders)
        extra_data = json_data["extra_data"] if "extra_data" in json_data else {}
        if "client_id" in json_data:
            extra_data["client_id"] = json_data["client_id"]
        if valid[0]:
            self.prompt_queue.put((number, prompt_id, prompt, extra_data, valid[2]))
            return json_response({"prompt_id": prompt_id, "number": number, "node_errors": valid[3]})
        logging.warning("invalid prompt: {}".format(valid[1]))
        return json_response({"error": valid[1], "node_errors": valid[3]}, status=400)

    async def post_queue(self, request):
        json_data = request.json()
        if "clear" in json_data and json_data["clear"]:
            self.prompt_queue.wipe_queue()
        if "delete" in json_data:
            for id_to_delete in json_data["delete"]:
                self.prompt_queue.delete_queue_item(lambda a, i=id_to_delete: a[1] == i)
        return Response(200)

    async def post_interrupt(self, request):
        try:
            json_data = request.json()
        except json.JSONDecodeError:
            json_data = {}
        prompt_id = json_data.get("prompt_id")
        if prompt_id:
            running, _ = self.prompt_queue.get_current_queue()
            if any(item[1] == prompt_id for item in running):
                logging.info(f"Interrupting prompt {prompt_id}")
                self.set_interrupt()
            else:
                logging.info(f"Prompt {prompt_id} is not currently running, skipping interrupt")
        else:
            logging.info("Global interrupt (no prompt_id specified)")
            self.set_interrupt()
        return Response(200)

    async def post_free(self, request):
        json_data = request.json()
        if json_data.get("unload_models", False):
            self.prompt_queue.set_flag("unload_models", json_data["unload_models"])
        if json_data.get("free_memory", False):
            self.prompt_queue.set_flag("free_memory", json_data["free_memory"])
        return Response(200)

    async def post_history(self, request):
        json_data = request.json()
        if "clear" in json_data and json_data["clear"]:
            self.prompt_queue.wipe_history()
        if "delete" in json_data:
            for id_to_delete in json_data["delete"]:
                self.prompt_queue.delete_history_item(id_to_delete)
        return Response(200)

    # -- listening [ref §5 Readiness detection] -------------------------------------------

    async def start_multi_address(self, addresses, verbose=True):
        if verbose:
            logging.info("Starting server\n")
        for address, port in addresses:
            # Binding raises OSError "error while attempting to bind on address ...: address
            # already in use" when the port is taken, and the process exits non-zero.
            await asyncio.start_server(self.handle_connection, address, port, limit=1 << 20)
            shown = f"[{address}]" if ":" in address else address
            if verbose:
                logging.info(f"To see the GUI go to: http://{shown}:{port}")


async def _catch_send(function, message):
    try:
        await function(message)
    except (ConnectionError, BrokenPipeError) as err:
        logging.warning("send error: {}".format(err))


def _memory():
    """(total, available) bytes, as psutil reports them on Linux."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    available = total
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    available = int(line.split()[1]) * 1024
                    break
    except OSError:
        pass
    return total, available


def pytorch_version(args):
    return "2.8.0+cpu" if args.cpu else "2.8.0+cu128"

