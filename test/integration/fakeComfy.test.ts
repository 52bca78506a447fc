// The ComfyUI test double (test/fakes/comfyui) over real HTTP and WebSocket, checked against
// the replies recorded from the real ComfyUI 0.3.64 (test/fixtures/comfyui/recorded) and the
// message order of shared/reference/comfyui-api.md §2.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { type FakeComfy, fakeComfyMain, startFakeComfy } from '../support/fakeComfy';

// ------------------------------------------------------------------ helpers

const fixtureDir = path.join(process.cwd(), 'test', 'fixtures', 'comfyui', 'recorded');
const fixture = <T = unknown>(rel: string): T => JSON.parse(readFileSync(path.join(fixtureDir, rel), 'utf8')) as T;

type Obj = Record<string, unknown>;
interface TextFrame {
  kind: 'text';
  type: string;
  data: Obj;
}
interface BinaryFrame {
  kind: 'binary';
  event: number;
  bytes: Buffer;
}
type Frame = TextFrame | BinaryFrame | { kind: 'close'; code: number };

/** A WebSocket that keeps every frame in arrival order. */
class Socket {
  readonly frames: Frame[] = [];
  readonly ws: WebSocket;
  readonly opened: Promise<void>;

  constructor(url: string, clientId?: string, headers?: Record<string, string>) {
    const query = clientId === undefined ? '' : `?clientId=${encodeURIComponent(clientId)}`;
    this.ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws${query}`, { headers: headers ?? {} });
    this.ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) this.frames.push({ kind: 'binary', event: data.readUInt32BE(0), bytes: Buffer.from(data) });
      else {
        const msg = JSON.parse(data.toString('utf8')) as { type: string; data: Obj };
        this.frames.push({ kind: 'text', type: msg.type, data: msg.data });
      }
    });
    this.ws.on('close', (code: number) => this.frames.push({ kind: 'close', code }));
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
  }

  /** Opens the socket and waits for the first status frame (the socket is registered then). */
  static async connect(url: string, clientId?: string): Promise<Socket> {
    const socket = new Socket(url, clientId);
    await socket.opened;
    await socket.waitFor((f) => f.kind === 'text' && f.type === 'status');
    return socket;
  }

  texts(): TextFrame[] {
    return this.frames.filter((f): f is TextFrame => f.kind === 'text');
  }

  async waitFor(predicate: (f: Frame) => boolean, timeoutMs = 15000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no such frame; last: ${JSON.stringify(this.frames.slice(-3)).slice(0, 600)}`);
      await sleep(10);
    }
  }

  waitDone(promptId: string, timeoutMs?: number): Promise<Frame> {
    return this.waitFor((f) => f.kind === 'text' && f.type === 'executing' && f.data['node'] === null && f.data['prompt_id'] === promptId, timeoutMs);
  }

  close(): void {
    this.ws.close();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function getJson(comfy: FakeComfy, pathAndQuery: string): Promise<unknown> {
  const res = await fetch(`${comfy.url}${pathAndQuery}`);
  assert.equal(res.status, 200, `${pathAndQuery} answered ${res.status}`);
  return res.json();
}

async function post(comfy: FakeComfy, route: string, body: unknown): Promise<{ status: number; contentType: string | null; body: unknown }> {
  const res = await fetch(`${comfy.url}${route}`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  const contentType = res.headers.get('content-type');
  return { status: res.status, contentType, body: contentType?.startsWith('application/json') ? JSON.parse(text) : text };
}

/** ComfyUI's default graph: 4 checkpoint, 5 latent, 6/7 prompts, 3 KSampler, 8 decode, 9 save. */
function txt2img({ seed = 1, steps = 3, width = 64, height = 48, batch = 1, ckpt = 'sd15.safetensors', prefix = 'StudioNOVA' } = {}): Obj {
  return {
    3: { class_type: 'KSampler', inputs: { seed, steps, cfg: 7, sampler_name: 'euler', scheduler: 'normal', denoise: 1, model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0] } },
    4: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: ckpt } },
    5: { class_type: 'EmptyLatentImage', inputs: { width, height, batch_size: batch } },
    6: { class_type: 'CLIPTextEncode', inputs: { text: 'a lighthouse at dusk', clip: ['4', 1] } },
    7: { class_type: 'CLIPTextEncode', inputs: { text: 'blurry', clip: ['4', 1] } },
    8: { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    9: { class_type: 'SaveImage', inputs: { filename_prefix: prefix, images: ['8', 0] } },
  };
}

/** Submits with a client-chosen prompt id, as a client must [ref §2 race]. */
async function submit(comfy: FakeComfy, prompt: Obj, extra: Obj = {}): Promise<string> {
  const promptId = `pid-${Math.random().toString(36).slice(2)}`;
  const r = await post(comfy, '/prompt', { prompt, prompt_id: promptId, ...extra });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal((r.body as Obj)['prompt_id'], promptId);
  return promptId;
}

/** A value's shape: key sets and types, list elements merged. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length ? [shape(value[0])] : [];
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, shape((value as Obj)[k])]));
  }
  return value === null ? 'null' : typeof value;
}

/** Blanks values that differ between runs; sorts per-node error lists (upstream iterates a set). */
function normalise(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return key === 'traceback' ? ['<traceback>'] : value.map((v) => normalise(v));
  if (value !== null && typeof value === 'object') {
    const out = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v, k)]));
    if (Array.isArray(out['errors'])) (out['errors'] as unknown[]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    return out;
  }
  return value;
}

/** Text chunks and IHDR size of a PNG. */
function readPng(buf: Buffer): { width: number; height: number; order: string[]; text: Record<string, string>; idat: Buffer } {
  const text: Record<string, string> = {};
  const order: string[] = [];
  const idat: Buffer[] = [];
  let width = 0;
  let height = 0;
  for (let off = 8; off < buf.length; ) {
    const len = buf.readUInt32BE(off);
    const type = buf.subarray(off + 4, off + 8).toString('latin1');
    const data = buf.subarray(off + 8, off + 8 + len);
    if (order.at(-1) !== type) order.push(type);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
    } else if (type === 'tEXt') {
      const nul = data.indexOf(0);
      text[data.subarray(0, nul).toString('latin1')] = data.subarray(nul + 1).toString('latin1');
    } else if (type === 'IDAT') idat.push(data);
    off += 12 + len;
  }
  return { width, height, order, text, idat: Buffer.concat(idat) };
}

/** A compact line per text frame, for comparing whole sequences. */
function describeFrame(f: TextFrame): string {
  const d = f.data;
  switch (f.type) {
    case 'status':
      return `status ${(d['status'] as { exec_info: { queue_remaining: number } }).exec_info.queue_remaining}`;
    case 'executing':
      return `executing ${String(d['node'])}`;
    case 'executed':
      return `executed ${String(d['node'])}`;
    case 'progress':
      return `progress ${String(d['value'])}/${String(d['max'])} ${String(d['node'])}`;
    case 'execution_cached':
      return `execution_cached ${JSON.stringify(d['nodes'])}`;
    case 'progress_state': {
      const nodes = d['nodes'] as Record<string, { state: string; value: number; max: number }>;
      return `progress_state ${Object.entries(nodes).map(([id, s]) => `${id}:${s.state}:${s.value}/${s.max}`).join(',')}`;
    }
    default:
      return f.type;
  }
}

const models = { checkpoints: ['sd15.safetensors'], loras: ['style.safetensors'] };

// ------------------------------------------------------------------ against the fixtures

describe('the ComfyUI double answers like the recorded ComfyUI', () => {
  let comfy: FakeComfy;
  before(async () => {
    // The recording had these two (empty) checkpoints when the error replies were taken.
    comfy = await startFakeComfy({ args: ['--cpu'], models: { checkpoints: ['dummy.safetensors', 'sdxl/dummy_xl.safetensors'] } });
  });
  after(() => comfy.stop());

  it('serves /system_stats with the recorded shape, at /x and /api/x', async () => {
    const recorded = fixture<{ system: Obj; devices: Obj[] }>('system_stats.json');
    for (const route of ['/system_stats', '/api/system_stats']) {
      const stats = (await getJson(comfy, route)) as { system: Obj; devices: Obj[] };
      assert.deepEqual(shape(stats), shape(recorded));
      assert.equal(stats.system['comfyui_version'], '0.3.64');
      assert.equal(stats.system['os'], recorded.system['os']);
      assert.deepEqual([stats.devices[0]!['name'], stats.devices[0]!['type'], stats.devices[0]!['index']], ['cpu', 'cpu', null]);
    }
    assert.deepEqual(await getJson(comfy, '/features'), fixture('features.json'));
  });

  it('serves object_info entries field for field, with the model lists from its own folders', async () => {
    for (const name of readdirSync(path.join(fixtureDir, 'object_info'))) {
      const cls = name.replace(/\.json$/, '');
      const recorded = fixture<Record<string, { input: { required: Record<string, unknown[]> } }>>(`object_info/${name}`);
      const served = (await getJson(comfy, `/object_info/${cls}`)) as typeof recorded;
      // The recording had no LoRAs, no ControlNets and one tiny upscaler; put our lists in.
      const required = recorded[cls]!.input.required;
      if (cls === 'CheckpointLoaderSimple') required['ckpt_name']![0] = ['dummy.safetensors', 'sdxl/dummy_xl.safetensors'];
      if (cls === 'UpscaleModelLoader') (required['model_name']![1] as Obj)['options'] = [];
      assert.deepEqual(served, recorded, cls);
    }
    const ksampler = (await getJson(comfy, '/api/object_info/KSampler')) as { KSampler: { input: { required: Record<string, [string[]]> } } };
    assert.equal(ksampler.KSampler.input.required['sampler_name']![0].length, 42);
    assert.deepEqual(ksampler.KSampler.input.required['scheduler']![0], ['simple', 'sgm_uniform', 'karras', 'exponential', 'ddim_uniform', 'beta', 'normal', 'linear_quadratic', 'kl_optimal']);
    assert.deepEqual(await getJson(comfy, '/object_info/NoSuchNode'), {});
    const all = (await getJson(comfy, '/object_info')) as Obj;
    for (const cls of ['LoraLoader', 'LoraLoaderModelOnly', 'CLIPTextEncode', 'KSamplerAdvanced', 'VAEEncode', 'VAELoader', 'PreviewImage', 'LoadImage', 'ImageUpscaleWithModel', 'ImageScaleBy', 'ControlNetLoader', 'ControlNetApplyAdvanced']) {
      assert.ok(cls in all, cls);
    }
  });

  it('answers POST /prompt errors with the recorded status, content type and body', async () => {
    const recorded = fixture<Record<string, { request: { body?: Obj; rawBody?: string }; status: number; contentType: string | null; body: unknown }>>('prompt_errors.json');
    const cases = ['missing_checkpoint', 'no_prompt', 'ui_format', 'ui_format_old_numeric_first_key', 'no_outputs', 'unknown_class', 'missing_class_type', 'bad_values', 'upstream_error', 'link_to_missing_node', 'int_node_id_in_link', 'load_image_missing', 'not_json', 'json_array'];
    for (const name of cases) {
      const c = recorded[name]!;
      const r = await post(comfy, '/prompt', c.request.rawBody ?? c.request.body);
      assert.deepEqual({ status: r.status, contentType: r.contentType, body: normalise(r.body) }, { status: c.status, contentType: c.contentType, body: normalise(c.body) }, name);
    }
    // A good output beside a bad one: 200, the bad one reported and dropped.
    const partial = recorded['partial_outputs']!;
    const r = await post(comfy, '/prompt', partial.request.body);
    assert.equal(r.status, 200);
    assert.deepEqual((r.body as Obj)['node_errors'], (partial.body as Obj)['node_errors']);
  });

  it('answers the recorded plain requests: queue, history, models, view refusals, origin check', async () => {
    const recorded = fixture<Record<string, { request: { path: string; method: string; headers?: Record<string, string>; body?: unknown }; status: number; contentType: string | null; body: unknown }>>('http.json');
    const names = [
      'object_info_unknown', 'api_object_info_unknown', 'models', 'models_clip_legacy', 'models_unknown', 'embeddings', 'history_unknown',
      'history_max_items_not_int', 'unknown_path', 'post_unknown_path', 'wrong_method', 'ws_without_upgrade', 'options_prompt', 'interrupt_not_running', 'free_no_body',
      'view_no_filename', 'view_empty_filename', 'view_dotdot', 'view_dotdot_inside', 'view_absolute', 'view_bad_type', 'view_subfolder_escape', 'view_missing', 'view_annotated_missing',
    ];
    for (const name of names) {
      const c = recorded[name]!;
      const headers = { ...(c.request.headers ?? {}) };
      const body = c.request.body === undefined ? {} : { body: JSON.stringify(c.request.body) };
      const res = await fetch(`${comfy.url}${c.request.path}`, { method: c.request.method, headers, ...body });
      const text = await res.text();
      const contentType = res.headers.get('content-type');
      const answer = contentType?.startsWith('application/json') ? JSON.parse(text) : text;
      assert.deepEqual({ status: res.status, contentType, body: answer }, { status: c.status, contentType: c.contentType, body: c.body }, name);
    }
    // Host/Origin check [ref §0]: a webview origin and localhost-vs-127.0.0.1 are refused, HTTP and WS alike.
    for (const origin of ['vscode-webview://abcdef', `http://localhost:${comfy.port}`]) {
      assert.equal((await fetch(`${comfy.url}/system_stats`, { headers: { origin } })).status, 403, origin);
    }
    assert.equal((await fetch(`${comfy.url}/prompt`, { headers: { origin: comfy.url } })).status, 200);
    const refused = new Socket(comfy.url, 'origin', { origin: 'vscode-webview://abcdef' });
    await assert.rejects(refused.opened, /403/);
    assert.deepEqual(await getJson(comfy, '/queue'), { queue_running: [], queue_pending: [] });
    assert.deepEqual(await getJson(comfy, '/prompt'), { exec_info: { queue_remaining: 0 } });
  });

  it('sends status with the sid first and answers a first feature_flags message, as recorded', async () => {
    const recorded = fixture<{ withClientIdAndFeatureFlags: { msg: { type: string; data: Obj } }[]; noClientId: { msg: { data: Obj } }[] }>('ws_connect.json');
    const socket = await Socket.connect(comfy.url, 'flags-client');
    socket.ws.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true } }));
    await socket.waitFor((f) => f.kind === 'text' && f.type === 'feature_flags');
    assert.deepEqual(
      socket.texts().map((f) => ({ type: f.type, data: f.data })),
      recorded.withClientIdAndFeatureFlags.map((f) => ({ type: f.msg.type, data: { ...f.msg.data, ...('sid' in f.msg.data ? { sid: 'flags-client' } : {}) } })),
    );
    socket.close();
    const anonymous = await Socket.connect(comfy.url);
    assert.match(String(anonymous.texts()[0]!.data['sid']), /^[0-9a-f]{32}$/, 'a made-up sid is uuid4().hex');
    anonymous.close();
  });

  it('names uploads like the recording: same bytes keep the name, other bytes get " (1)"', async () => {
    const recorded = fixture<Record<string, { body: unknown }>>('http.json');
    const upload = async (bytes: Buffer, fields: Record<string, string> = {}) => {
      const form = new FormData();
      form.append('image', new Blob([bytes]), 'cat.png');
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      const res = await fetch(`${comfy.url}/upload/image`, { method: 'POST', body: form });
      return { status: res.status, body: res.headers.get('content-type')?.startsWith('application/json') ? await res.json() : await res.text() };
    };
    const a = Buffer.from('89504e470d0a1a0a0000000000000000', 'hex');
    const b = Buffer.from('89504e470d0a1a0a1111111111111111', 'hex');
    assert.deepEqual((await upload(a)).body, recorded['upload_first']!.body);
    assert.deepEqual((await upload(a)).body, recorded['upload_same_bytes']!.body);
    assert.deepEqual((await upload(b)).body, recorded['upload_different_bytes']!.body);
    assert.deepEqual((await upload(a, { subfolder: 'refs' })).body, recorded['upload_subfolder']!.body);
    assert.equal((await upload(a, { type: 'bogus' })).status, 500);
    assert.equal((await upload(a, { subfolder: '../..' })).status, 400);
  });
});

// ------------------------------------------------------------------ one prompt, in order

describe('one prompt with the client connected first', () => {
  let comfy: FakeComfy;
  before(async () => {
    comfy = await startFakeComfy({ args: ['--fake-step-ms', '5'], models });
  });
  after(() => comfy.stop());

  it('emits the §2 sequence, writes history before executing{node:null}, and saves the PNG with its prompt', async () => {
    const socket = await Socket.connect(comfy.url, 'order-client');
    const prompt = txt2img({ steps: 3 });
    const workflow = { last_node_id: 9, last_link_id: 9, nodes: [], links: [], groups: [], config: {}, extra: {}, version: 0.4 };
    const promptId = await submit(comfy, prompt, { client_id: 'order-client', extra_data: { extra_pnginfo: { workflow } } });
    await socket.waitDone(promptId);

    const expected = ['status 0', 'status 1', 'status 1', 'execution_start', 'execution_cached []'];
    const state: string[] = [];
    // JavaScript orders integer-like keys numerically, whatever order the server sent.
    const ps = () => `progress_state ${[...state].sort((x, y) => parseInt(x, 10) - parseInt(y, 10)).join(',')}`;
    for (const node of ['4', '5', '7', '6', '3', '8', '9']) {
      state.push(`${node}:running:0/1`);
      expected.push(ps(), `executing ${node}`);
      if (node === '3') {
        for (let step = 1; step <= 3; step++) {
          state[state.length - 1] = `3:running:${step}/3`;
          expected.push(ps(), `progress ${step}/3 3`);
        }
      }
      if (node === '9') expected.push('executed 9');
      const [, , done] = state[state.length - 1]!.split(':');
      const max = done!.split('/')[1];
      state[state.length - 1] = `${node}:finished:${max}/${max}`;
      expected.push(ps());
    }
    expected.push('execution_success', 'status 0', 'executing null');
    assert.deepEqual(socket.texts().map(describeFrame), expected);
    assert.equal(socket.frames.filter((f) => f.kind === 'binary').length, 0, 'no previews with --preview-method none');

    const texts = socket.texts();
    const executing = texts.find((f) => f.type === 'executing')!;
    assert.deepEqual(executing.data, { node: '4', display_node: '4', prompt_id: promptId });
    const executed = texts.find((f) => f.type === 'executed')!;
    assert.deepEqual(executed.data, { node: '9', display_node: '9', output: { images: [{ filename: 'StudioNOVA_00001_.png', subfolder: '', type: 'output' }] }, prompt_id: promptId });
    const progressState = texts.find((f) => f.type === 'progress_state')!;
    assert.deepEqual(progressState.data, { prompt_id: promptId, nodes: { 4: { value: 0, max: 1, state: 'running', node_id: '4', prompt_id: promptId, display_node_id: '4', parent_node_id: null, real_node_id: '4' } } });

    // The history entry has the recorded shape [ref §1 GET /history].
    const history = (await getJson(comfy, `/history/${promptId}`)) as Record<string, { prompt: unknown[]; outputs: Obj; status: { status_str: string; completed: boolean; messages: [string, Obj][] } }>;
    const entry = history[promptId]!;
    type Entry = { prompt: unknown[]; outputs: Record<string, Obj>; status: Obj; meta: Record<string, Obj> };
    const recorded = Object.values(fixture<{ history: Record<string, Entry> }>('runs/model_free_success.json').history)[0]!;
    const served = entry as unknown as Entry;
    assert.deepEqual(Object.keys(served), Object.keys(recorded));
    assert.deepEqual(shape(served.status), shape(recorded.status));
    assert.deepEqual(shape(Object.values(served.outputs)[0]), shape(Object.values(recorded.outputs)[0]));
    assert.deepEqual(served.meta, { 9: { node_id: '9', display_node: '9', parent_node: null, real_node_id: '9' } });
    assert.deepEqual(shape(Object.values(served.meta)[0]), shape(Object.values(recorded.meta)[0]));
    assert.deepEqual(entry.prompt.slice(1), [promptId, prompt, { extra_pnginfo: { workflow }, client_id: 'order-client' }, ['9']]);
    assert.deepEqual(entry.status.messages.map((m) => m[0]), ['execution_start', 'execution_cached', 'execution_success']);
    assert.deepEqual([entry.status.status_str, entry.status.completed], ['success', true]);

    // The PNG: EmptyLatentImage's size, prompt and workflow as tEXt before IDAT [image-metadata §2].
    const png = readPng(readFileSync(path.join(comfy.outputDir, 'StudioNOVA_00001_.png')));
    assert.deepEqual([png.width, png.height], [64, 48]);
    assert.deepEqual(png.order, fixture<{ chunkOrder: string[] }>('saved_png.json').chunkOrder);
    assert.deepEqual(JSON.parse(png.text['prompt']!), prompt);
    assert.deepEqual(JSON.parse(png.text['workflow']!), workflow);
    const view = await fetch(`${comfy.url}/view?filename=StudioNOVA_00001_.png&type=output`);
    assert.equal(view.headers.get('content-type'), 'image/png');
    assert.equal(view.headers.get('content-disposition'), 'filename="StudioNOVA_00001_.png"');
    assert.deepEqual(Buffer.from(await view.arrayBuffer()), readFileSync(path.join(comfy.outputDir, 'StudioNOVA_00001_.png')));

    // The same prompt again runs nothing and repeats the old filename; another seed makes a new, different image.
    const again = await submit(comfy, txt2img({ steps: 3 }), { client_id: 'order-client' });
    await socket.waitDone(again);
    const cachedRun = socket.texts().filter((f) => f.data['prompt_id'] === again);
    assert.deepEqual(cachedRun.map(describeFrame), ['execution_start', 'execution_cached ["3","4","5","6","7","8","9"]', 'executed 9', 'progress_state 9:finished:1/1', 'execution_success', 'executing null']);
    const seed2 = await submit(comfy, txt2img({ steps: 3, seed: 2 }), { client_id: 'order-client' });
    await socket.waitDone(seed2);
    assert.deepEqual(readdirSync(comfy.outputDir).sort(), ['StudioNOVA_00001_.png', 'StudioNOVA_00002_.png']);
    const second = readPng(readFileSync(path.join(comfy.outputDir, 'StudioNOVA_00002_.png')));
    assert.notDeepEqual(second.idat, png.idat, 'another seed draws another gradient');
    socket.close();
  });

  it('writes one file per batch item, under the prefix subfolder', async () => {
    const socket = await Socket.connect(comfy.url, 'batch-client');
    const promptId = await submit(comfy, txt2img({ seed: 7, batch: 3, prefix: 'chars/spyke' }), { client_id: 'batch-client' });
    await socket.waitDone(promptId);
    const executed = socket.texts().find((f) => f.type === 'executed')!;
    assert.deepEqual((executed.data['output'] as { images: Obj[] }).images, [1, 2, 3].map((n) => ({ filename: `spyke_0000${n}_.png`, subfolder: 'chars', type: 'output' })));
    assert.equal(readdirSync(path.join(comfy.outputDir, 'chars')).length, 3);
    socket.close();
  });
});

// ------------------------------------------------------------------ addressing and the race

describe('who receives what', () => {
  let comfy: FakeComfy;
  before(async () => {
    comfy = await startFakeComfy({ args: ['--fake-step-ms', '20'], models });
  });
  after(() => comfy.stop());

  it('a socket that connects after POST misses the start of its run (frames to unknown sids are dropped)', async () => {
    const printed = comfy.stderr().length;
    const promptId = await submit(comfy, txt2img({ seed: 11, steps: 40 }), { client_id: 'late-client' });
    // Connect only once the sampler has printed its first step: execution_start went out before it.
    for (let i = 0; i < 500 && !/\| 1\/40 \[/.test(comfy.stderr().slice(printed)); i++) await sleep(10);
    const late = await Socket.connect(comfy.url, 'late-client');
    await late.waitDone(promptId);
    const types = late.texts().map((f) => f.type);
    assert.equal(types[0], 'status');
    assert.equal(late.texts()[0]!.data['sid'], 'late-client');
    assert.ok(!types.includes('execution_start'), 'execution_start went to nobody');
    assert.ok(types.includes('execution_success'));
    assert.ok(Object.keys((await getJson(comfy, `/history/${promptId}`)) as Obj).length === 1, 'history still has the run');
    late.close();
  });

  it('without client_id only status, progress, progress_state and previews are broadcast', async () => {
    const observer = await Socket.connect(comfy.url);
    const promptId = await submit(comfy, txt2img({ seed: 12, steps: 2 }));
    for (let i = 0; i < 200 && Object.keys((await getJson(comfy, `/history/${promptId}`)) as Obj).length === 0; i++) await sleep(20);
    await sleep(100);
    const types = new Set(observer.texts().map((f) => f.type));
    assert.deepEqual([...types].sort(), ['progress', 'progress_state', 'status']);
    observer.close();
  });

  it('a socket reconnecting with the running prompt’s clientId is told the current node', async () => {
    const first = await Socket.connect(comfy.url, 'again-client');
    const promptId = await submit(comfy, txt2img({ seed: 13, steps: 15 }), { client_id: 'again-client' });
    await first.waitFor((f) => f.kind === 'text' && f.type === 'progress');
    const second = await Socket.connect(comfy.url, 'again-client');
    await second.waitFor((f) => f.kind === 'text' && f.type === 'executing');
    assert.deepEqual(second.texts()[1]!.data, { node: '3' }, 'no prompt_id, no display_node');
    await second.waitDone(promptId);
    first.close();
    second.close();
  });
});

// ------------------------------------------------------------------ previews

describe('previews with --preview-method auto', () => {
  let comfy: FakeComfy;
  before(async () => {
    comfy = await startFakeComfy({ args: ['--fake-step-ms', '5', '--preview-method', 'auto'], models });
  });
  after(() => comfy.stop());

  it('sends a type 1 JPEG frame after each progress frame', async () => {
    const socket = await Socket.connect(comfy.url, 'preview-client');
    const promptId = await submit(comfy, txt2img({ seed: 21, steps: 4 }), { client_id: 'preview-client' });
    await socket.waitDone(promptId);
    const seq = socket.frames.filter((f) => f.kind === 'binary' || (f.kind === 'text' && f.type === 'progress')).map((f) => (f.kind === 'binary' ? `binary ${f.event}` : 'progress'));
    assert.deepEqual(seq, Array(4).fill(['progress', 'binary 1']).flat());
    for (const f of socket.frames) {
      if (f.kind !== 'binary') continue;
      assert.equal(f.bytes.readUInt32BE(4), 1, 'image format 1 = JPEG');
      assert.equal(f.bytes.subarray(8, 11).toString('hex'), 'ffd8ff');
    }
    socket.close();
  });

  it('sends type 4 frames with metadata before each progress frame once the client negotiated it', async () => {
    const socket = await Socket.connect(comfy.url, 'meta-client');
    socket.ws.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true } }));
    await socket.waitFor((f) => f.kind === 'text' && f.type === 'feature_flags');
    const promptId = await submit(comfy, txt2img({ seed: 22, steps: 3 }), { client_id: 'meta-client' });
    await socket.waitDone(promptId);
    const seq = socket.frames.filter((f) => f.kind === 'binary' || (f.kind === 'text' && f.type === 'progress')).map((f) => (f.kind === 'binary' ? `binary ${f.event}` : 'progress'));
    assert.deepEqual(seq, Array(3).fill(['binary 4', 'progress']).flat());
    const frame = socket.frames.find((f): f is BinaryFrame => f.kind === 'binary')!;
    const length = frame.bytes.readUInt32BE(4);
    const metadata = JSON.parse(frame.bytes.subarray(8, 8 + length).toString('utf8')) as Obj;
    assert.deepEqual(metadata, { node_id: '3', prompt_id: promptId, display_node_id: '3', parent_node_id: null, real_node_id: '3', image_type: 'image/jpeg' });
    assert.equal(frame.bytes.subarray(8 + length, 11 + length).toString('hex'), 'ffd8ff');
    socket.close();
  });
});

// ------------------------------------------------------------------ interrupt and queue

describe('interrupt and queue', () => {
  let comfy: FakeComfy;
  before(async () => {
    comfy = await startFakeComfy({ args: ['--fake-step-ms', '20'], models });
  });
  after(() => comfy.stop());

  it('lists running and pending items, deletes a pending one, interrupts the running one', async () => {
    const socket = await Socket.connect(comfy.url, 'queue-client');
    const a = await submit(comfy, txt2img({ seed: 31, steps: 200 }), { client_id: 'queue-client' });
    const b = await submit(comfy, txt2img({ seed: 32, steps: 2 }), { client_id: 'queue-client', number: 100 });
    const c = await submit(comfy, txt2img({ seed: 33, steps: 2 }), { client_id: 'queue-client', number: 50 });
    await socket.waitFor((f) => f.kind === 'text' && f.type === 'progress' && f.data['prompt_id'] === a);

    const queue = (await getJson(comfy, '/queue')) as { queue_running: unknown[][]; queue_pending: unknown[][] };
    assert.deepEqual(queue.queue_running.map((item) => [item.length, item[1]]), [[5, a]]);
    assert.deepEqual(queue.queue_pending.map((item) => [item[0], item[1], item[4]]), [[50, c, ['9']], [100, b, ['9']]]);
    assert.deepEqual(await getJson(comfy, '/prompt'), { exec_info: { queue_remaining: 3 } });

    assert.equal((await post(comfy, '/queue', { delete: [c, 'no-such-id'] })).status, 200);
    assert.deepEqual(((await getJson(comfy, '/queue')) as { queue_pending: unknown[][] }).queue_pending.map((item) => item[1]), [b]);

    const r = await post(comfy, '/interrupt', { prompt_id: a });
    assert.deepEqual([r.status, r.body], [200, '']);
    await socket.waitDone(b);
    const aFrames = socket.texts().filter((f) => f.data['prompt_id'] === a);
    assert.deepEqual(aFrames.slice(-2).map((f) => f.type), ['execution_interrupted', 'executing']);
    const interrupted = aFrames.at(-2)!.data;
    assert.deepEqual({ ...interrupted, executed: [...(interrupted['executed'] as string[])].sort(), timestamp: 0 }, { prompt_id: a, node_id: '3', node_type: 'KSampler', executed: ['4', '5', '6', '7'], timestamp: 0 });
    const history = ((await getJson(comfy, `/history/${a}`)) as Record<string, { outputs: Obj; status: { status_str: string; completed: boolean; messages: [string][] } }>)[a]!;
    assert.deepEqual([history.status.status_str, history.status.completed, history.outputs], ['error', false, {}]);
    assert.equal(history.status.messages.at(-1)![0], 'execution_interrupted');
    assert.deepEqual(await getJson(comfy, `/history/${c}`), {}, 'a deleted prompt never reaches history');
    assert.equal(((await getJson(comfy, `/history/${b}`)) as Record<string, { status: { status_str: string } }>)[b]!.status.status_str, 'success');
    socket.close();
  });

  it('forgets an interrupt sent while idle (the flag is cleared when the next prompt starts)', async () => {
    await post(comfy, '/interrupt', '');
    const socket = await Socket.connect(comfy.url, 'idle-client');
    const promptId = await submit(comfy, txt2img({ seed: 34, steps: 2 }), { client_id: 'idle-client' });
    await socket.waitDone(promptId);
    assert.ok(socket.texts().some((f) => f.type === 'execution_success'));
    socket.close();
  });
});

// ------------------------------------------------------------------ faults

describe('faults', () => {
  it('oom@1: the first prompt fails with torch’s OOM and ComfyUI’s tips, the second runs', async () => {
    const comfy = await startFakeComfy({ args: ['--fake-step-ms', '5', '--fake-fault', 'oom@1'], models });
    try {
      const socket = await Socket.connect(comfy.url, 'oom-client');
      const first = await submit(comfy, txt2img({ seed: 41 }), { client_id: 'oom-client' });
      await socket.waitDone(first);
      const error = socket.texts().find((f) => f.type === 'execution_error')!.data;
      assert.equal(error['exception_type'], 'torch.OutOfMemoryError');
      assert.equal(error['node_type'], 'KSampler');
      assert.match(String(error['exception_message']), /^CUDA out of memory\. .*\nThis error means you ran out of memory on your GPU\.\n\nTIPS: If the workflow worked before you might have accidentally set the batch_size to a large number\.$/s);
      assert.deepEqual(Object.keys(error), ['prompt_id', 'node_id', 'node_type', 'executed', 'exception_message', 'exception_type', 'traceback', 'current_inputs', 'current_outputs', 'timestamp']);
      assert.match(comfy.logs(), /Got an OOM, unloading all loaded models\./);
      const second = await submit(comfy, txt2img({ seed: 42 }), { client_id: 'oom-client' });
      await socket.waitDone(second);
      assert.ok(socket.texts().some((f) => f.type === 'execution_success' && f.data['prompt_id'] === second));
      socket.close();
    } finally {
      await comfy.stop();
    }
  });

  it('missing-model: the checkpoint loader fails at run time with FileNotFoundError, like the recorded V3 loader', async () => {
    const comfy = await startFakeComfy({ args: ['--fake-step-ms', '5', '--fake-fault', 'missing-model'], models });
    try {
      const socket = await Socket.connect(comfy.url, 'missing-client');
      const promptId = await submit(comfy, txt2img({ seed: 43 }), { client_id: 'missing-client' });
      await socket.waitDone(promptId);
      const error = socket.texts().find((f) => f.type === 'execution_error')!.data;
      const recorded = fixture<{ frames: { kind: string; msg?: { type: string; data: Obj } }[] }>('runs/upscale_model_missing.json').frames.find((f) => f.msg?.type === 'execution_error')!.msg!.data;
      assert.deepEqual(Object.keys(error), Object.keys(recorded));
      assert.equal(error['exception_type'], recorded['exception_type']);
      assert.equal(error['exception_message'], "Model in folder 'checkpoints' with filename 'sd15.safetensors' not found.\n");
      assert.deepEqual([error['node_id'], error['node_type'], error['executed'], error['current_inputs']], ['4', 'CheckpointLoaderSimple', [], { ckpt_name: ['sd15.safetensors'] }]);
      const history = ((await getJson(comfy, `/history/${promptId}`)) as Record<string, { status: { status_str: string } }>)[promptId]!;
      assert.equal(history.status.status_str, 'error');
      socket.close();
    } finally {
      await comfy.stop();
    }
  });

  it('die: the process exits with code 1 mid-sampling after some progress, writing no image', async () => {
    const comfy = await startFakeComfy({ args: ['--fake-step-ms', '20', '--fake-fault', 'die'], models });
    try {
      const socket = await Socket.connect(comfy.url, 'die-client');
      await submit(comfy, txt2img({ seed: 44, steps: 10 }), { client_id: 'die-client' });
      const { code } = await comfy.exited;
      assert.equal(code, 1);
      await socket.waitFor((f) => f.kind === 'close');
      const progress = socket.texts().filter((f) => f.type === 'progress');
      assert.ok(progress.length >= 1 && progress.length < 10, `${progress.length} progress frames`);
      assert.ok(!socket.texts().some((f) => f.type === 'executed' || f.type === 'execution_success'));
      assert.deepEqual(readdirSync(comfy.outputDir), []);
    } finally {
      await comfy.stop();
    }
  });
});

// ------------------------------------------------------------------ process

describe('the process', () => {
  it('exits 2 with argparse usage on an unknown flag, like the recorded ComfyUI', () => {
    const recorded = fixture<{ unknownFlag: { exitCode: number; stderrTail: string[] } }>('cli.json').unknownFlag;
    const r = spawnSync(process.env['PYTHON'] ?? 'python3', [fakeComfyMain(), '--listen', '127.0.0.1', '--port', '1', '--bogus-flag'], { encoding: 'utf8' });
    assert.equal(r.status, recorded.exitCode);
    assert.match(r.stderr, /^usage: main\.py /);
    assert.equal(r.stderr.trim().split('\n').at(-1), recorded.stderrTail.filter(Boolean).at(-1));
  });

  it('prints the startup lines first and the readiness line only once bound (stdout with --log-stdout)', async () => {
    const started = Date.now();
    const comfy = await startFakeComfy({ args: ['--fake-startup-ms', '300', '--log-stdout', '--cpu'] });
    try {
      assert.ok(Date.now() - started >= 300);
      const out = comfy.stdout();
      const order = ['Total VRAM', 'pytorch version: ', 'Device: cpu', 'ComfyUI version: 0.3.64', 'Starting server', `To see the GUI go to: ${comfy.url}`].map((l) => out.indexOf(l));
      assert.ok(order.every((i, n) => i >= 0 && (n === 0 || i > order[n - 1]!)), out);
      assert.doesNotMatch(comfy.stderr(), /To see the GUI/);
      assert.deepEqual(await getJson(comfy, '/prompt'), { exec_info: { queue_remaining: 0 } });
    } finally {
      await comfy.stop();
    }
  });
});
