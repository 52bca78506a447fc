"""The queue, the history, the cache and the worker that runs prompts and emits the
WebSocket events [ref §1 GET /queue, GET /history; §2 Order for one prompt].

Threads as in ComfyUI: HTTP handlers (event loop thread) put items on the queue; one worker
thread takes them in priority order and runs them; every event goes through
server.send_sync, which hands it to the event loop in order.
"""
import copy
import heapq
import json
import hashlib
import logging
import sys
import threading
import time
import traceback

import fake_images
import fake_nodes
from fake_nodes import Interrupted, OutOfMemoryError, full_type_name, is_link

MAXIMUM_HISTORY_SIZE = 10000
SENSITIVE_EXTRA_DATA_KEYS = ("auth_token_comfy_org", "api_key_comfy_org")


# ------------------------------------------------------------------ queue and history

class PromptQueue:
    """execution.PromptQueue: a min-heap by number, the running items, the history."""

    def __init__(self, server):
        self.server = server
        self.mutex = threading.RLock()
        self.not_empty = threading.Condition(self.mutex)
        self.task_counter = 0
        self.queue = []
        self.currently_running = {}
        self.history = {}
        self.flags = {}

    def put(self, item):
        with self.mutex:
            heapq.heappush(self.queue, item)
            self.server.queue_updated()  # status broadcast, can beat the POST reply [ref §2 race]
            self.not_empty.notify()

    def get(self, timeout=None):
        with self.not_empty:
            while len(self.queue) == 0:
                self.not_empty.wait(timeout=timeout)
                if timeout is not None and len(self.queue) == 0:
                    return None
            item = heapq.heappop(self.queue)
            i = self.task_counter
            self.currently_running[i] = copy.deepcopy(item)
            self.task_counter += 1
            self.server.queue_updated()  # running items still count in queue_remaining
            return item, i

    def task_done(self, item_id, history_result, status):
        with self.mutex:
            prompt = self.currently_running.pop(item_id)
            if len(self.history) > MAXIMUM_HISTORY_SIZE:
                self.history.pop(next(iter(self.history)))
            for key in SENSITIVE_EXTRA_DATA_KEYS:
                prompt[3].pop(key, None)
            self.history[prompt[1]] = {"prompt": prompt, "outputs": {}, "status": copy.deepcopy(status)}
            self.history[prompt[1]].update(history_result)
            self.server.queue_updated()

    def get_current_queue(self):
        with self.mutex:
            return list(self.currently_running.values()), copy.deepcopy(self.queue)

    def get_current_queue_volatile(self):
        with self.mutex:
            return list(self.currently_running.values()), copy.copy(self.queue)

    def get_tasks_remaining(self):
        with self.mutex:
            return len(self.queue) + len(self.currently_running)

    def wipe_queue(self):
        with self.mutex:
            self.queue = []
            self.server.queue_updated()

    def delete_queue_item(self, function):
        with self.mutex:
            for x in range(len(self.queue)):
                if function(self.queue[x]):
                    if len(self.queue) == 1:
                        self.wipe_queue()
                    else:
                        self.queue.pop(x)
                        heapq.heapify(self.queue)
                    self.server.queue_updated()
                    return True
        return False

    def get_history(self, prompt_id=None, max_items=None, offset=-1):
        with self.mutex:
            if prompt_id is None:
                out = {}
                if offset < 0 and max_items is not None:
                    offset = len(self.history) - max_items
                for i, k in enumerate(self.history):
                    if i >= offset:
                        out[k] = self.history[k]
                        if max_items is not None and len(out) >= max_items:
                            break
                return copy.deepcopy(out)
            if prompt_id in self.history:
                return {prompt_id: copy.deepcopy(self.history[prompt_id])}
            return {}

    def wipe_history(self):
        with self.mutex:
            self.history = {}

    def delete_history_item(self, id_to_delete):
        with self.mutex:
            self.history.pop(id_to_delete, None)

    def set_flag(self, name, data):
        with self.mutex:
            self.flags[name] = data
            self.not_empty.notify()

    def get_flags(self):
        with self.mutex:
            flags, self.flags = self.flags, {}
            return flags


# ------------------------------------------------------------------ execution order

class DependencyCycleError(Exception):
    pass


class ExecutionList:
    """comfy_execution.graph.ExecutionList: what may run next, with ComfyUI's "UX friendly"
    pick (output nodes first, then what feeds them), so events come in the same order."""

    def __init__(self, prompt, is_cached):
        self.prompt = prompt
        self.is_cached = is_cached
        self.pending = {}
        self.block_count = {}
        self.blocking = {}

    def add_node(self, node_id):
        stack, links = [node_id], []
        while stack:
            uid = stack.pop()
            if uid in self.pending:
                continue
            self.pending[uid] = True
            self.block_count[uid] = 0
            self.blocking[uid] = {}
            for value in self.prompt[uid]["inputs"].values():
                if is_link(value) and not self.is_cached(value[0]):
                    stack.append(value[0])
                    links.append((value[0], value[1], uid))
        for link in links:
            self.add_strong_link(*link)

    def add_strong_link(self, from_id, socket, to_id):
        if not self.is_cached(from_id):
            self.add_node(from_id)
            if to_id not in self.blocking[from_id]:
                self.blocking[from_id][to_id] = {}
                self.block_count[to_id] += 1
            self.blocking[from_id][to_id][socket] = True

    def is_empty(self):
        return not self.pending

    def _is_output(self, node_id):
        return self.prompt[node_id]["class_type"] in fake_nodes.OUTPUT_NODES

    def stage(self):
        ready = [n for n in self.pending if self.block_count[n] == 0]
        if not ready:
            raise DependencyCycleError("Dependency cycle detected")
        for n in ready:
            if self._is_output(n):
                return n
        for n in ready:
            if any(self._is_output(b) for b in self.blocking[n]):
                return n
        for n in ready:
            if any(self._is_output(b2) for b in self.blocking[n] for b2 in self.blocking[b]):
                return n
        return ready[0]

    def complete(self, node_id):
        del self.pending[node_id]
        for blocked in self.blocking[node_id]:
            self.block_count[blocked] -= 1
        del self.blocking[node_id]


def format_value(x):
    if x is None or isinstance(x, (int, float, bool, str)):
        return x
    return str(x)


# ------------------------------------------------------------------ the executor

class Executor:
    """execution.PromptExecutor plus the progress hook of main.py, for the fake nodes."""

    def __init__(self, server, folders, args, faults):
        self.server = server
        self.folders = folders
        self.args = args
        self.faults = faults  # [(kind, n or None)], from --fake-fault
        self.runner = fake_nodes.NodeRunner(self)
        self.previews = args.preview_method in ("auto", "latent2rgb", "taesd")
        self.step_seconds = max(0.0, args.fake_step_ms / 1000.0)
        self.reset()

    def reset(self):
        # Classic cache: node outputs and UI outputs keyed by the node's input signature.
        self.outputs_cache = {}
        self.ui_cache = {}
        self.status_messages = []
        self.success = True

    def add_message(self, event, data, broadcast):
        data = {**data, "timestamp": int(time.time() * 1000)}
        self.status_messages.append((event, data))
        if self.server.client_id is not None or broadcast:
            self.server.send_sync(event, data, self.server.client_id)

    # -- one prompt -------------------------------------------------------------------

    def execute(self, prompt, prompt_id, extra_data, execute_outputs, run_number):
        self.server.clear_interrupt()  # the flag is cleared when a prompt starts [ref §1 /interrupt]
        self.server.client_id = extra_data.get("client_id")
        self.prompt, self.prompt_id, self.extra_data = prompt, prompt_id, extra_data
        self.active_faults = [kind for kind, n in self.faults if n is None or n == run_number]
        self.status_messages = []
        self.success = True
        self.add_message("execution_start", {"prompt_id": prompt_id}, broadcast=False)

        self.progress_nodes = {}
        self.signatures = {}
        for node_id in prompt:
            self._signature(node_id)
        if self.args.cache_none:
            self.outputs_cache, self.ui_cache = {}, {}
        elif not self.args.cache_lru:
            used = set(self.signatures.values())
            self.outputs_cache = {k: v for k, v in self.outputs_cache.items() if k in used}
            self.ui_cache = {k: v for k, v in self.ui_cache.items() if k in used}
        cached = lambda node_id: self.signatures.get(node_id) in self.outputs_cache  # noqa: E731
        self.add_message("execution_cached", {"nodes": [n for n in prompt if cached(n)], "prompt_id": prompt_id},
                         broadcast=False)

        executed = {}  # an ordered set: upstream's set has no fixed order either
        current_outputs = list(prompt)
        execution_list = ExecutionList(prompt, cached)
        for node_id in execute_outputs:
            execution_list.add_node(node_id)
        while not execution_list.is_empty():
            try:
                node_id = execution_list.stage()
            except DependencyCycleError as ex:
                blamed = next(iter(execution_list.pending))
                self.success = False
                self._report_error(blamed, executed, current_outputs, {
                    "exception_message": str(ex), "exception_type": "graph.DependencyCycleError",
                    "traceback": [], "current_inputs": []}, ex)
                break
            error, ex = self._execute_node(node_id, executed)
            if error is not None:
                self.success = False
                self._report_error(node_id, executed, current_outputs, error, ex)
                break
            execution_list.complete(node_id)
        else:
            self.add_message("execution_success", {"prompt_id": prompt_id}, broadcast=False)

        ui_outputs, meta_outputs = {}, {}
        for node_id in prompt:
            ui = self.ui_cache.get(self.signatures[node_id])
            if ui is not None:
                ui_outputs[node_id] = ui["output"]
                meta_outputs[node_id] = ui["meta"]
        self.history_result = {"outputs": ui_outputs, "meta": meta_outputs}
        self.server.last_node_id = None

    def _signature(self, node_id, seen=()):
        """A node's cache key: class, IS_CHANGED value and inputs, with links replaced by the
        upstream node's key (node ids do not matter, as in CacheKeySetInputSignature)."""
        if node_id in self.signatures:
            return self.signatures[node_id]
        node = self.prompt.get(node_id) if isinstance(node_id, str) else None
        if node is None or node_id in seen:
            return json.dumps(["missing", node_id, time.time()])  # never matches
        is_changed = False
        if node["class_type"] in fake_nodes.HAS_IS_CHANGED:
            is_changed = self._is_changed(node)
        parts = [node["class_type"], is_changed]
        for key in sorted(node["inputs"]):
            value = node["inputs"][key]
            if is_link(value):
                parts.append([key, "LINK", self._signature(value[0], seen + (node_id,)), value[1]])
            else:
                parts.append([key, value])
        sig = json.dumps(parts, sort_keys=True, default=str)
        self.signatures[node_id] = sig
        return sig

    def _is_changed(self, node):
        # LoadImage.IS_CHANGED hashes the file; the result is written into the node, as the real
        # IsChangedCache does, so it also shows in the PNG "prompt" chunk [image-metadata §0].
        try:
            with open(self.folders.annotated_full_path(str(node["inputs"].get("image"))), "rb") as f:
                value = [hashlib.sha256(f.read()).digest().hex()]
        except OSError:
            value = float("nan")
        node["is_changed"] = value
        return value

    def _execute_node(self, node_id, executed):
        """Runs one node. Returns (None, None) or (error details, exception)."""
        server = self.server
        node = self.prompt[node_id]
        class_type = node["class_type"]
        sig = self.signatures[node_id]
        if sig in self.outputs_cache:
            # A cached output node still reports its old UI output [ref §2 Cached nodes].
            if server.client_id is not None:
                cached_ui = self.ui_cache.get(sig) or {}
                server.send_sync("executed", {"node": node_id, "display_node": node_id,
                                              "output": cached_ui.get("output", None), "prompt_id": self.prompt_id},
                                 server.client_id)
            self._progress_finish(node_id)
            return None, None

        kwargs = None
        try:
            self._progress_start(node_id)
            kwargs, shown_inputs = self._gather_inputs(node)
            if server.client_id is not None:
                server.last_node_id = node_id
                server.send_sync("executing", {"node": node_id, "display_node": node_id, "prompt_id": self.prompt_id},
                                 server.client_id)
            self.node_id, self.class_type = node_id, class_type
            self.check_interrupt()
            self._fault_before_node(node)
            outputs, ui = self.runner.run(class_type, node_id, kwargs)
            if ui:
                self.ui_cache[sig] = {"meta": {"node_id": node_id, "display_node": node_id, "parent_node": None,
                                               "real_node_id": node_id}, "output": ui}
                if server.client_id is not None:
                    server.send_sync("executed", {"node": node_id, "display_node": node_id, "output": ui,
                                                  "prompt_id": self.prompt_id}, server.client_id)
            self.outputs_cache[sig] = outputs
        except Interrupted as iex:
            logging.info("Processing interrupted")
            return {"node_id": node_id}, iex
        except Exception as ex:
            _, _, tb = sys.exc_info()
            logging.error(f"!!! Exception during processing !!! {ex}")
            logging.error(traceback.format_exc())
            tips = ""
            if isinstance(ex, OutOfMemoryError):
                tips = fake_nodes.OOM_TIPS
                logging.error("Got an OOM, unloading all loaded models.")
            current_inputs = {} if kwargs is None else {k: [format_value(v)] for k, v in shown_inputs.items()}
            return {"node_id": node_id, "exception_message": "{}\n{}".format(ex, tips),
                    "exception_type": full_type_name(type(ex)), "traceback": traceback.format_tb(tb),
                    "current_inputs": current_inputs}, ex
        self._progress_finish(node_id)
        executed[node_id] = True
        return None, None

    def _gather_inputs(self, node):
        """Keyword arguments for the node function, and what execution_error shows as inputs."""
        definition = fake_nodes.NODE_TABLE[node["class_type"]]["input"]
        known = {**definition.get("required", {}), **definition.get("optional", {})}
        kwargs = {}
        for name, value in node["inputs"].items():
            if name not in known:
                continue  # unknown inputs are ignored [ref §1]
            if is_link(value):
                kwargs[name] = self.outputs_cache[self.signatures[value[0]]][int(value[1])]
            else:
                kwargs[name] = value
        shown = dict(kwargs)
        hidden = definition.get("hidden", {})
        for name, kind in hidden.items():
            if kind == "PROMPT":
                kwargs[name] = shown[name] = self.prompt
            elif kind == "EXTRA_PNGINFO":
                kwargs[name] = shown[name] = self.extra_data.get("extra_pnginfo", None)
        return kwargs, shown

    def _report_error(self, node_id, executed, current_outputs, error, ex):
        class_type = self.prompt[node_id]["class_type"]
        if isinstance(ex, Interrupted):
            # Broadcast: it reaches every socket even without client_id [ref §2 table].
            self.add_message("execution_interrupted", {"prompt_id": self.prompt_id, "node_id": node_id,
                                                       "node_type": class_type, "executed": list(executed)},
                             broadcast=True)
        else:
            self.add_message("execution_error", {
                "prompt_id": self.prompt_id, "node_id": node_id, "node_type": class_type,
                "executed": list(executed), "exception_message": error["exception_message"],
                "exception_type": error["exception_type"], "traceback": error["traceback"],
                "current_inputs": error["current_inputs"], "current_outputs": list(current_outputs)},
                broadcast=False)

    # -- progress (comfy_execution/progress.py, main.py hijack_progress) ---------------

    def _send_progress_state(self):
        nodes = {
            nid: {"value": s["value"], "max": s["max"], "state": s["state"], "node_id": nid,
                  "prompt_id": self.prompt_id, "display_node_id": nid, "parent_node_id": None, "real_node_id": nid}
            for nid, s in self.progress_nodes.items() if s["state"] != "pending"
        }
        self.server.send_sync("progress_state", {"prompt_id": self.prompt_id, "nodes": nodes}, self.server.client_id)

    def _progress_start(self, node_id):
        self.progress_nodes[node_id] = {"state": "running", "value": 0.0, "max": 1.0}
        self._send_progress_state()

    def _progress_finish(self, node_id):
        entry = self.progress_nodes.setdefault(node_id, {"state": "pending", "value": 0, "max": 1})
        entry["state"] = "finished"
        entry["value"] = entry["max"]
        self._send_progress_state()

    def check_interrupt(self):
        if self.server.take_interrupt():
            raise Interrupted()

    def progress(self, node_id, value, total, preview):
        """One progress tick: interrupt check, progress_state, previews and progress, in the
        order of the real hook [ref §2 Order for one prompt]."""
        self.check_interrupt()
        server = self.server
        self.progress_nodes[node_id] = {"state": "running", "value": value, "max": total}
        self._send_progress_state()
        negotiated = server.supports_preview_metadata(server.client_id)
        if preview and negotiated:
            meta = {"node_id": node_id, "prompt_id": self.prompt_id, "display_node_id": node_id,
                    "parent_node_id": None, "real_node_id": node_id}
            server.send_sync(4, (fake_images.PREVIEW_JPEG, meta), server.client_id)
        server.send_sync("progress", {"value": value, "max": total, "prompt_id": self.prompt_id, "node": node_id},
                         server.client_id)
        if preview and not negotiated:
            server.send_sync(1, fake_images.PREVIEW_JPEG, server.client_id)

    def sample(self, node_id, steps):
        """A sampler's steps: --fake-step-ms each, with a tqdm-style bar on stderr."""
        if "oom" in self.active_faults:
            raise OutOfMemoryError(fake_nodes.OOM_TORCH_TEXT)
        die_after = max(1, steps // 2) if "die" in self.active_faults else None
        bar = ProgressBar(steps)
        for step in range(steps):
            time.sleep(self.step_seconds)
            self.progress(node_id, step + 1, steps, self.previews)
            bar.update(step + 1)
            if die_after == step + 1:
                self.server.exit_abruptly(1)
        bar.close()

    def tiles(self, node_id, total):
        """A tiled upscale: one step per tile, no previews, no tqdm bar (as the real node)."""
        for i in range(total):
            time.sleep(self.step_seconds)
            self.progress(node_id, i + 1, total, False)

    # -- faults (--fake-fault) -------------------------------------------------------

    def _fault_before_node(self, node):
        """missing-model strikes the first loader that runs; oom and die strike the sampler
        (see sample()), or the output node when the prompt has no loader / no sampler."""
        class_type = node["class_type"]
        classes = {n["class_type"] for n in self.prompt.values()}
        is_output = class_type in fake_nodes.OUTPUT_NODES
        if "missing-model" in self.active_faults:
            if class_type in fake_nodes.LOADERS or (is_output and not classes & set(fake_nodes.LOADERS)):
                folder, key = fake_nodes.LOADERS.get(class_type, ("checkpoints", None))
                name = node["inputs"].get(key, "model.safetensors") if key else "model.safetensors"
                self.active_faults.remove("missing-model")
                raise FileNotFoundError(f"Model in folder '{folder}' with filename '{name}' not found.")
        if is_output and not classes & fake_nodes.SAMPLERS:
            if "oom" in self.active_faults:
                raise OutOfMemoryError(fake_nodes.OOM_TORCH_TEXT)
            if "die" in self.active_faults:
                self.server.exit_abruptly(1)


class ProgressBar:
    """What tqdm prints for a sampler: "\\r 45%|████▌     | 9/20 [00:01<00:01,  8.52it/s]"."""

    def __init__(self, total):
        self.total = total
        self.start = time.monotonic()
        self._write(0)

    @staticmethod
    def _clock(seconds):
        return "{:02d}:{:02d}".format(int(seconds) // 60, int(seconds) % 60)

    def _write(self, n):
        if self.total <= 0:
            return
        elapsed = time.monotonic() - self.start
        frac = n / self.total
        blocks = frac * 10
        partial = " ▏▎▍▌▋▊▉"[int((blocks - int(blocks)) * 8)] if n < self.total else ""
        bar = ("█" * int(blocks) + partial).ljust(10)
        if n == 0:
            rate, remaining = "?it/s", "?"
        else:
            per_second = n / elapsed if elapsed > 0 else 0.0
            rate = f"{per_second:5.2f}it/s"
            remaining = self._clock((self.total - n) / per_second) if per_second else "?"
        sys.stderr.write(f"\r{int(frac * 100):3d}%|{bar}| {n}/{self.total} [{self._clock(elapsed)}<{remaining}, {rate}]")
        sys.stderr.flush()

    def update(self, n):
        self._write(n)

    def close(self):
        if self.total > 0:
            sys.stderr.write("\n")
            sys.stderr.flush()


# ------------------------------------------------------------------ the worker thread

def prompt_worker(queue, server, executor):
    """main.py prompt_worker: take, run, write history, then executing{node:null}."""
    run_number = 0
    while True:
        queue_item = queue.get(timeout=1000.0)
        if queue_item is not None:
            item, item_id = queue_item
            started = time.perf_counter()
            prompt_id = item[1]
            server.last_prompt_id = prompt_id
            run_number += 1
            executor.execute(item[2], prompt_id, item[3], item[4], run_number)
            queue.task_done(item_id, executor.history_result, status={
                "status_str": "success" if executor.success else "error",
                "completed": executor.success,
                "messages": executor.status_messages,
            })
            # Sent after the history entry exists [ref §2 Completion signal].
            if server.client_id is not None:
                server.send_sync("executing", {"node": None, "prompt_id": prompt_id}, server.client_id)
            elapsed = time.perf_counter() - started
            if elapsed > 600:
                logging.info(f"Prompt executed in {time.strftime('%H:%M:%S', time.gmtime(elapsed))}")
            else:
                logging.info("Prompt executed in {:.2f} seconds".format(elapsed))
        flags = queue.get_flags()
        if flags.get("free_memory", False):
            executor.reset()  # the next identical prompt runs again [ref §1 /free]


def start_worker(queue, server, executor):
    thread = threading.Thread(target=prompt_worker, args=(queue, server, executor), daemon=True)
    thread.start()
    return thread

