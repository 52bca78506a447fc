"""StudioNOVA's ComfyUI test double, launched like ComfyUI itself:

    python3 main.py --listen 127.0.0.1 --port 8188 [--base-directory DIR] [--cpu] ...

Python standard library only. It speaks ComfyUI 0.3.64's HTTP and WebSocket API as described
in shared/reference/comfyui-api.md ("ref §N" below) and as recorded from the real server in
test/fixtures/comfyui/. Nothing is generated: sampling is a sleep per step, images are
gradients. Extra flags, all starting with --fake-, make it slow or make it fail:

    --fake-step-ms MS         time per sampler step (default 20)
    --fake-startup-ms MS      delay before the port is bound (startup lines are printed first)
    --fake-fault KIND[@N]     oom | missing-model | die, on the N-th prompt run (1-based) or on
                              every prompt without @N; repeatable
"""
import argparse
import asyncio
import logging
import os
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # leave no __pycache__ in the repository

import fake_executor  # noqa: E402
import fake_paths  # noqa: E402
import fake_server  # noqa: E402

FAULT_KINDS = ("oom", "missing-model", "die")


# ------------------------------------------------------------------ command line [ref §5]

def fault(value):
    kind, _, n = value.partition("@")
    if kind not in FAULT_KINDS:
        raise argparse.ArgumentTypeError(f"unknown fault {kind!r} (choose from {', '.join(FAULT_KINDS)})")
    if n and (not n.isdigit() or int(n) < 1):
        raise argparse.ArgumentTypeError(f"bad prompt number in {value!r}")
    return kind, int(n) if n else None


def build_parser():
    """The flags of comfy/cli_args.py, in its order and groups, so usage text, mutually
    exclusive groups and the exit code 2 on a bad flag behave the same."""
    p = argparse.ArgumentParser()
    add = p.add_argument
    add("--listen", type=str, default="127.0.0.1", metavar="IP", nargs="?", const="0.0.0.0,::",
        help="IP address(es) to listen on, comma separated; bare flag: 0.0.0.0,::")
    add("--port", type=int, default=8188, help="Listen port.")
    add("--tls-keyfile", type=str, help="TLS key file (not supported by the double).")
    add("--tls-certfile", type=str, help="TLS certificate file (not supported by the double).")
    add("--enable-cors-header", type=str, default=None, metavar="ORIGIN", nargs="?", const="*",
        help="Answer with CORS headers instead of checking Host against Origin.")
    add("--max-upload-size", type=float, default=100, help="Maximum upload size in MB.")
    add("--base-directory", type=str, default=None, help="Base for models/, input/, output/, temp/, user/.")
    add("--extra-model-paths-config", type=str, default=None, metavar="PATH", nargs="+", action="append",
        help="extra_model_paths.yaml files (ignored by the double).")
    add("--output-directory", type=str, default=None, help="Output directory.")
    add("--temp-directory", type=str, default=None, help="Temp directory parent (DIR/temp is used).")
    add("--input-directory", type=str, default=None, help="Input directory.")
    add("--auto-launch", action="store_true", help="Open a browser (ignored).")
    add("--disable-auto-launch", action="store_true", help="Do not open a browser.")
    add("--cuda-device", type=int, default=None, metavar="DEVICE_ID", help="CUDA device (ignored).")
    add("--default-device", type=int, default=None, metavar="DEFAULT_DEVICE_ID", help="Default device (ignored).")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--cuda-malloc", action="store_true", help="(ignored)")
    g.add_argument("--disable-cuda-malloc", action="store_true", help="(ignored)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--force-fp32", action="store_true", help="(ignored)")
    g.add_argument("--force-fp16", action="store_true", help="(ignored)")
    g = p.add_mutually_exclusive_group()
    for flag in ("--fp32-unet", "--fp64-unet", "--bf16-unet", "--fp16-unet", "--fp8_e4m3fn-unet", "--fp8_e5m2-unet",
                 "--fp8_e8m0fnu-unet"):
        g.add_argument(flag, action="store_true", help="(ignored)")
    g = p.add_mutually_exclusive_group()
    for flag in ("--fp16-vae", "--fp32-vae", "--bf16-vae"):
        g.add_argument(flag, action="store_true", help="(ignored)")
    add("--cpu-vae", action="store_true", help="(ignored)")
    g = p.add_mutually_exclusive_group()
    for flag in ("--fp8_e4m3fn-text-enc", "--fp8_e5m2-text-enc", "--fp16-text-enc", "--fp32-text-enc",
                 "--bf16-text-enc"):
        g.add_argument(flag, action="store_true", help="(ignored)")
    add("--force-channels-last", action="store_true", help="(ignored)")
    add("--directml", type=int, nargs="?", metavar="DIRECTML_DEVICE", const=-1, help="(ignored)")
    add("--oneapi-device-selector", type=str, default=None, metavar="SELECTOR_STRING", help="(ignored)")
    add("--disable-ipex-optimize", action="store_true", help="(ignored)")
    add("--supports-fp8-compute", action="store_true", help="(ignored)")
    add("--preview-method", type=str, default="none", choices=("none", "auto", "latent2rgb", "taesd"),
        metavar="[none,auto,latent2rgb,taesd]",
        help="Sampler previews: binary JPEG frames per step unless none.")
    add("--preview-size", type=int, default=512, help="Maximum preview size.")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--cache-classic", action="store_true", help="Classic cache (default).")
    g.add_argument("--cache-lru", type=int, default=0, help="Keep results of other prompts too.")
    g.add_argument("--cache-none", action="store_true", help="Run every node of every prompt.")
    g = p.add_mutually_exclusive_group()
    for flag in ("--use-split-cross-attention", "--use-quad-cross-attention", "--use-pytorch-cross-attention",
                 "--use-sage-attention", "--use-flash-attention"):
        g.add_argument(flag, action="store_true", help="(ignored)")
    add("--disable-xformers", action="store_true", help="(ignored)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--force-upcast-attention", action="store_true", help="(ignored)")
    g.add_argument("--dont-upcast-attention", action="store_true", help="(ignored)")
    g = p.add_mutually_exclusive_group()
    for flag in ("--gpu-only", "--highvram", "--normalvram", "--lowvram", "--novram", "--cpu"):
        g.add_argument(flag, action="store_true", help="--cpu: report the CPU as the device.")
    add("--reserve-vram", type=float, default=None, help="(ignored)")
    add("--async-offload", action="store_true", help="(ignored)")
    add("--force-non-blocking", action="store_true", help="(ignored)")
    add("--default-hashing-function", type=str, choices=["md5", "sha1", "sha256", "sha512"], default="sha256",
        help="Hash used to compare uploads with existing files.")
    add("--disable-smart-memory", action="store_true", help="(ignored)")
    add("--deterministic", action="store_true", help="(ignored)")
    add("--fast", nargs="*", type=str, help="(ignored)")
    add("--mmap-torch-files", action="store_true", help="(ignored)")
    add("--disable-mmap", action="store_true", help="(ignored)")
    add("--dont-print-server", action="store_true", help="No 'Starting server' / 'To see the GUI' lines.")
    add("--quick-test-for-ci", action="store_true", help="Start up, then exit 0 before listening.")
    add("--windows-standalone-build", action="store_true", help="(ignored)")
    add("--disable-metadata", action="store_true", help="No prompt/workflow text chunks in saved PNGs.")
    add("--disable-all-custom-nodes", action="store_true", help="(ignored)")
    add("--whitelist-custom-nodes", type=str, nargs="+", default=[], help="(ignored)")
    add("--disable-api-nodes", action="store_true", help="(ignored)")
    add("--multi-user", action="store_true", help="(ignored)")
    add("--verbose", default="INFO", const="DEBUG", nargs="?", choices=["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"],
        help="Logging level.")
    add("--log-stdout", action="store_true", help="Records below ERROR to stdout instead of stderr.")
    add("--front-end-version", type=str, default="comfyanonymous/ComfyUI@latest", help="(ignored)")
    add("--front-end-root", type=str, default=None, help="(ignored)")
    add("--user-directory", type=str, default=None, help="(ignored)")
    add("--enable-compress-response-body", action="store_true", help="gzip JSON and text replies.")
    add("--comfy-api-base", type=str, default="https://api.comfy.org", help="(ignored)")
    add("--database-url", type=str, default="sqlite:///:memory:", help="(ignored)")
    # The double's own switches; hidden from usage so that error text matches the real one.
    add("--fake-step-ms", type=float, default=20.0, help=argparse.SUPPRESS)
    add("--fake-startup-ms", type=float, default=0.0, help=argparse.SUPPRESS)
    add("--fake-fault", type=fault, action="append", default=[], help=argparse.SUPPRESS)
    return p


# ------------------------------------------------------------------ logging (app/logger.py)

def setup_logger(level, use_stdout):
    """Bare messages; everything to stderr, or below ERROR to stdout with --log-stdout.
    logging's StreamHandler flushes each record, so the readiness line is never held back."""
    logger = logging.getLogger()
    logger.setLevel(level)
    to_stderr = logging.StreamHandler(sys.stderr)
    to_stderr.setFormatter(logging.Formatter("%(message)s"))
    if use_stdout:
        to_stderr.addFilter(lambda record: not record.levelno < logging.ERROR)
        to_stdout = logging.StreamHandler(sys.stdout)
        to_stdout.setFormatter(logging.Formatter("%(message)s"))
        to_stdout.addFilter(lambda record: record.levelno < logging.ERROR)
        logger.addHandler(to_stdout)
    logger.addHandler(to_stderr)


# ------------------------------------------------------------------ startup (main.py)

def startup_lines(args):
    """The lines a real start prints before node loading [ref §5 Readiness detection]."""
    total_mb = (os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")) // (1024 * 1024)
    logging.info("Checkpoint files will always be loaded safely.")
    if args.cpu:
        logging.info(f"Total VRAM {total_mb} MB, total RAM {total_mb} MB")
        logging.info(f"pytorch version: {fake_server.pytorch_version(args)}")
        logging.info("Set vram state to: DISABLED")
        logging.info("Device: cpu")
    else:
        logging.info(f"Total VRAM 24217 MB, total RAM {total_mb} MB")
        logging.info(f"pytorch version: {fake_server.pytorch_version(args)}")
        logging.info("Set vram state to: NORMAL_VRAM")
        logging.info("Device: cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync")


def main():
    args = build_parser().parse_args()
    if args.windows_standalone_build:
        args.auto_launch = True
    if args.disable_auto_launch:
        args.auto_launch = False
    setup_logger(args.verbose, args.log_stdout)

    folders = fake_paths.Folders(args.base_directory, HERE)
    folders.apply_custom_paths(args)
    custom_nodes = folders.folders["custom_nodes"][0][0]
    if args.base_directory and not os.path.isdir(custom_nodes):
        # The real ComfyUI 0.3.64 lists <base>/custom_nodes before anything else and exits 1
        # with a FileNotFoundError traceback when it is missing (recorded in
        # test/fixtures/comfyui/recorded/cli.json). The double only warns, so launchers that
        # forget the folder still start here; a launcher must create it for the real one.
        logging.warning(f"[fake] {custom_nodes} is missing: the real ComfyUI exits here "
                        f"(FileNotFoundError: [Errno 2] No such file or directory: '{custom_nodes}')")

    startup_lines(args)
    if args.fake_startup_ms > 0:
        time.sleep(args.fake_startup_ms / 1000.0)  # torch and node imports take a while
    logging.info("Python version: {}".format(sys.version))
    logging.info("ComfyUI version: {}".format(fake_server.COMFYUI_VERSION))

    if args.temp_directory:
        folders.set_temp_from_args(args.temp_directory)
    shutil.rmtree(folders.temp, ignore_errors=True)  # temp/ is wiped at startup [ref §4 PreviewImage]
    if args.cache_none:
        logging.info("Disabling intermediate node cache.")
    elif args.cache_lru > 0:
        logging.info("Using LRU cache")

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = fake_server.PromptServer(args, folders, loop)
    logging.info(f"[Prompt Server] web root: {HERE}")
    executor = fake_executor.Executor(server, folders, args, args.fake_fault)
    fake_executor.start_worker(server.prompt_queue, server, executor)
    if args.quick_test_for_ci:
        sys.exit(0)
    os.makedirs(folders.temp, exist_ok=True)

    addresses = [(address, args.port) for address in args.listen.split(",")]

    async def start_all():
        await asyncio.gather(server.start_multi_address(addresses, verbose=not args.dont_print_server),
                             server.publish_loop())

    try:
        loop.run_until_complete(start_all())
    except KeyboardInterrupt:
        logging.info("\nStopped server")
    shutil.rmtree(folders.temp, ignore_errors=True)


if __name__ == "__main__":
    main()
