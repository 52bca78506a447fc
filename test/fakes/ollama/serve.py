"""StudioNOVA's Ollama test double, started like `ollama serve`:

    python3 serve.py [--host 127.0.0.1] [--port 11434] [--models FILE | --model NAME[=CAPS] ...]
                     [--delay-ms MS] [--first-byte-ms MS] [--load-ms MS] [--fault KIND[@N] ...]

Python standard library only. It speaks the HTTP API of shared/reference/ollama-api.md ("ref §N"
in the comments): /, /api/version, /api/tags, /api/show, /api/chat, /api/generate, /api/pull and
/api/ps, with NDJSON streams, the real error statuses and texts, and cancellation by closing the
connection. Without --host/--port it reads OLLAMA_HOST as the real server does. Once the port is
bound it prints, on stderr, Ollama's own line:

    time=... level=INFO source=routes.go msg="Listening on 127.0.0.1:11434 (version 0.32.15)"
"""
import argparse
import os
import socket
import sys
from http.server import ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # leave no __pycache__ in the repository

import fake_api  # noqa: E402
import fake_models  # noqa: E402
from fake_http import log  # noqa: E402

FAULTS = ("mid-stream-error", "cut-stream", "drop-connection", "server-error", "busy", "length")
VERSION = "0.32.15"


def fault(value):
    kind, _, n = value.partition("@")
    if kind not in FAULTS:
        raise argparse.ArgumentTypeError(f"unknown fault {kind!r} (choose from {', '.join(FAULTS)})")
    if n and (not n.isdigit() or int(n) < 1):
        raise argparse.ArgumentTypeError(f"bad request number in {value!r}")
    return kind, int(n) if n else None


def host_from_env(value):
    """OLLAMA_HOST as envconfig.Host reads it [ref §5 Host]: (host, port)."""
    value = (value or "").strip().strip("\"'")
    scheme, sep, rest = value.partition("://")
    if not sep:
        scheme, rest = "http", value
    hostport = rest.split("/", 1)[0]
    default_port = {"http": 80, "https": 443}[scheme] if sep else 11434
    if hostport.startswith("["):
        host, _, tail = hostport[1:].partition("]")
        port = tail[1:] if tail.startswith(":") else ""
    elif hostport.count(":") == 1:
        host, port = hostport.split(":")
    else:
        host, port = hostport, ""
    return host or "127.0.0.1", int(port) if port else default_port


def build_parser():
    env_host, env_port = host_from_env(os.environ.get("OLLAMA_HOST"))
    p = argparse.ArgumentParser(prog="serve.py", description="Ollama test double (Python standard library only).")
    p.add_argument("--host", default=env_host, help="address to bind (default: from OLLAMA_HOST, else 127.0.0.1)")
    p.add_argument("--port", type=int, default=env_port, help="port to bind; 0 picks a free one (default 11434)")
    p.add_argument("--models", metavar="FILE", help="JSON list of models (or {\"models\": [...]}) instead of the defaults")
    p.add_argument("--model", metavar="NAME[=CAPS]", action="append", default=[], type=fake_models.parse_model_flag,
                   help="a model, e.g. llava:13b=completion,vision (repeatable; replaces the defaults)")
    p.add_argument("--delay-ms", type=float, default=0.0, help="time per generated token or pull line (default 0)")
    p.add_argument("--first-byte-ms", type=float, default=0.0,
                   help="prompt evaluation time before the first token, every request (default 0)")
    p.add_argument("--load-ms", type=float, default=0.0,
                   help="load time when a model is not loaded yet (first use, after keep_alive ran out)")
    p.add_argument("--fault", type=fault, action="append", default=[], metavar="KIND[@N]",
                   help=f"on the N-th generation request (1-based), or on every one: {', '.join(FAULTS)}")
    p.add_argument("--num-parallel", type=int, default=int(os.environ.get("OLLAMA_NUM_PARALLEL") or 1),
                   help="parallel generations per model; others wait (default OLLAMA_NUM_PARALLEL or 1)")
    p.add_argument("--max-queue", type=int, default=int(os.environ.get("OLLAMA_MAX_QUEUE") or 512),
                   help="waiting requests before 503 (default OLLAMA_MAX_QUEUE or 512)")
    p.add_argument("--omit-capabilities", action="store_true",
                   help="answer /api/show without `capabilities`, as servers before v0.6.4")
    p.add_argument("--version", default=VERSION, help=f"version reported by /api/version (default {VERSION})")
    return p


class Server(ThreadingHTTPServer):
    daemon_threads = True  # a stream still running does not hold up the exit
    allow_reuse_address = True

    def __init__(self, address, handler):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, handler)


def main():
    args = build_parser().parse_args()
    try:
        specs = args.model or (fake_models.load_models_file(args.models) if args.models else fake_models.DEFAULT_MODELS)
        catalog = fake_models.Catalog(specs)
    except (OSError, ValueError) as error:
        print(f"Error: {error}", file=sys.stderr)
        sys.exit(2)

    fake_api.OllamaHandler.state = fake_api.State(args, catalog)
    try:
        server = Server((args.host, args.port), fake_api.OllamaHandler)
    except OSError as error:
        print(f"Error: listen tcp {args.host}:{args.port}: bind: {error.strerror.lower()}", file=sys.stderr)
        sys.exit(1)
    host, port = server.server_address[:2]
    log(f"Listening on {host}:{port} (version {args.version})")
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
