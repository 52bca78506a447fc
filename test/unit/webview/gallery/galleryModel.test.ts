import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type GalleryBootstrap,
  type GalleryDetail,
  type GalleryItem,
  type GallerySummary,
  type GalleryUiState,
  defaultGalleryUiState,
} from '../../../../src/shared/protocol/gallery';
import type { CommandType, NotificationType, RequestType } from '../../../../src/shared/protocol/ipc';
import { GalleryModel, pageSize } from '../../../../webview/gallery/galleryModel';
import type { HostClient } from '../../../../webview/shared/hostConnection';

interface PendingRequest {
  readonly method: string;
  readonly params: Record<string, unknown>;
  resolve(result: unknown): void;
  reject(error: Error): void;
}

/** Holds every request until the test answers it, so replies can come late, out of order or outdated. */
class FakeHost implements HostClient {
  readonly pending: PendingRequest[] = [];
  readonly commands: { method: string; params: unknown }[] = [];

  request<P, R>(type: RequestType<string, P, R>, params: P): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ method: type.method, params: params as Record<string, unknown>, resolve: (result) => resolve(result as R), reject });
    });
  }

  command<P>(type: CommandType<string, P>, params: P): void {
    this.commands.push({ method: type.method, params });
  }

  onNotification<P>(_type: NotificationType<string, P>, _handler: (params: P) => void): () => void {
    return () => undefined;
  }

  /** Removes and returns the oldest pending request of `method` (and, if given, matching `where`). */
  take(method: string, where: (params: Record<string, unknown>) => boolean = () => true): PendingRequest {
    const index = this.pending.findIndex((request) => request.method === method && where(request.params));
    assert.ok(index >= 0, `no pending ${method}; pending: ${this.pending.map((request) => request.method).join(', ')}`);
    return this.pending.splice(index, 1)[0] as PendingRequest;
  }

  has(method: string): boolean {
    return this.pending.some((request) => request.method === method);
  }
}

const settle = (): Promise<void> => sleep(0);

function items(from: number, count: number, prefix = 'img'): GalleryItem[] {
  return Array.from({ length: count }, (_, k) => ({
    path: `output/${prefix}-${from + k}.png`,
    name: `${prefix}-${from + k}.png`,
    thumb: null,
    seed: from + k,
    rating: 0,
    approved: false,
    source: 'studionova' as const,
    createdMs: 1_700_000_000_000 - (from + k),
  }));
}

function summary(matching: number, total = matching): GallerySummary {
  return { total, matching, characters: [], chapters: [], pages: [], loras: [], checkpoints: [], approved: 0, upscaled: 0 };
}

/** What the host renders for the default filter: a first screen of 60 items, generation 1. */
function bootstrap(count: number): GalleryBootstrap {
  return { state: defaultGalleryUiState, summary: summary(count), items: items(0, Math.min(count, 60)), generation: 1 };
}

function detail(path: string, rating = 0): GalleryDetail {
  const item = { ...items(0, 1)[0]!, path, name: path.split('/').pop()!, rating };
  return { item, image: `img:${path}`, width: 512, height: 768, prompt: 'a cat', negative: null, fields: [], origin: 'test', actions: ['approve'] };
}

function start(count: number, state: GalleryUiState = defaultGalleryUiState): { model: GalleryModel; host: FakeHost; saved: GalleryUiState[]; warnings: string[] } {
  const host = new FakeHost();
  const saved: GalleryUiState[] = [];
  const warnings: string[] = [];
  const model = new GalleryModel(bootstrap(count), state, { host, saveState: (value) => saved.push(value), warn: (message) => warnings.push(message) });
  model.start();
  return { model, host, saved, warnings };
}

test('the bootstrap fills the first screen; scrolling asks for the pages near the viewport only', async () => {
  const { model, host } = start(10_000);
  assert.equal(model.count, 10_000);
  assert.equal(model.itemAt(59)?.path, 'output/img-59.png');
  assert.deepEqual(model.takeScrollRequest(), { kind: 'offset', top: 0 });
  model.setViewport({ visible: { start: 0, end: 30 }, near: { start: 0, end: 40 } });
  // The bootstrap's 60 items are shorter than a page: the full page is asked for.
  const first = host.take('gallery/images/list');
  assert.deepEqual(first.params, { filter: { sort: 'date' }, offset: 0, limit: pageSize });
  first.resolve({ generation: 1, matching: 10_000, items: items(0, pageSize) });
  await settle();
  // Rows 4990-5040 with a quarter page of look-ahead either way: pages 41 and 42, nothing in between.
  model.setViewport({ visible: { start: 5000, end: 5030 }, near: { start: 4990, end: 5040 } });
  assert.equal(host.take('gallery/images/list').params['offset'], 41 * pageSize);
  assert.equal(host.take('gallery/images/list').params['offset'], 42 * pageSize);
  assert.equal(host.has('gallery/images/list'), false);
});

test('a reply for an outdated filter is dropped; the filter change re-queries summary and first page and scrolls to the top', async () => {
  const { model, host } = start(300);
  model.setFilter({ sort: 'date', character: 'mira' });
  model.setFilter({ sort: 'date', character: 'kai' });
  assert.equal(model.countKnown, false);
  assert.deepEqual(model.takeScrollRequest(), null, 'no scroll before the rows exist');
  const mira = host.take('gallery/images/list', (params) => (params['filter'] as { character?: string }).character === 'mira');
  mira.resolve({ generation: 1, matching: 40, items: items(0, 40, 'mira') });
  host.take('gallery/summary/get', (params) => (params['filter'] as { character?: string }).character === 'mira').resolve({ generation: 1, summary: summary(40, 300) });
  await settle();
  assert.equal(model.countKnown, false);
  assert.equal(model.summary.matching, 300);
  host.take('gallery/images/list').resolve({ generation: 1, matching: 7, items: items(0, 7, 'kai') });
  host.take('gallery/summary/get').resolve({ generation: 1, summary: summary(7, 300) });
  await settle();
  assert.equal(model.count, 7);
  assert.equal(model.itemAt(0)?.path, 'output/kai-0.png');
  assert.equal(model.summary.matching, 7);
  assert.deepEqual(model.takeScrollRequest(), { kind: 'offset', top: 0 });
});

test('replies of an older generation are dropped', async () => {
  const { model, host } = start(300);
  model.setViewport({ visible: { start: 0, end: 30 }, near: { start: 0, end: 40 } });
  const stale = host.take('gallery/images/list');
  model.imagesChanged(2);
  stale.resolve({ generation: 1, matching: 300, items: items(0, pageSize, 'old') });
  host.take('gallery/summary/get').resolve({ generation: 1, summary: summary(999) });
  await settle();
  assert.notEqual(model.itemAt(0)?.path, 'output/old-0.png');
  assert.equal(model.summary.matching, 300);
  host.take('gallery/images/list').resolve({ generation: 2, matching: 301, items: items(0, pageSize, 'new') });
  await settle();
  assert.equal(model.itemAt(0)?.path, 'output/new-0.png');
  assert.equal(model.count, 301);
});

test('a change keeps the selected image selected where it moved, and the scroll', async () => {
  const { model, host } = start(300);
  model.setViewport({ visible: { start: 0, end: 30 }, near: { start: 0, end: 40 } });
  host.take('gallery/images/list').resolve({ generation: 1, matching: 300, items: items(0, pageSize) });
  await settle();
  model.select(5);
  model.takeScrollRequest();
  model.imagesChanged(2);
  // Two new images came first: the stale page must not be trusted for where img-5 is.
  host.take('gallery/images/position').resolve({ index: 7 });
  await settle();
  assert.equal(model.selectedIndex, 7);
  assert.equal(model.selectedPath, 'output/img-5.png');
  assert.equal(model.takeScrollRequest(), null);
});

test('a deleted selection moves to the image that took its place', async () => {
  const { model, host } = start(300);
  model.setViewport({ visible: { start: 0, end: 30 }, near: { start: 0, end: 40 } });
  host.take('gallery/images/list').resolve({ generation: 1, matching: 300, items: items(0, pageSize) });
  await settle();
  model.select(5);
  model.imagesChanged(2);
  host.take('gallery/images/list').resolve({ generation: 2, matching: 299, items: items(0, pageSize).filter((_, k) => k !== 5) });
  host.take('gallery/images/position').resolve({ index: -1 });
  await settle();
  assert.equal(model.selectedIndex, 5);
  assert.equal(model.selectedPath, 'output/img-6.png');
});

test('the saved state is restored: another filter is re-queried, the scroll comes back once the rows exist, the detail reopens', async () => {
  const state: GalleryUiState = { filter: { sort: 'seed' }, scrollTop: 1234, selected: 'output/img-9.png', detail: 'output/img-9.png', compare: null };
  const { model, host } = start(300, state);
  assert.equal(model.takeScrollRequest(), null);
  host.take('gallery/images/list', (params) => (params['filter'] as { sort: string }).sort === 'seed').resolve({ generation: 1, matching: 300, items: items(0, pageSize) });
  host.take('gallery/summary/get').resolve({ generation: 1, summary: summary(300) });
  await settle();
  assert.deepEqual(model.takeScrollRequest(), { kind: 'offset', top: 1234 });
  assert.equal(model.selectedIndex, 9);
  host.take('gallery/image/detail').resolve(detail('output/img-9.png'));
  // One for the selection, one for the detail's previous/next.
  host.take('gallery/images/position').resolve({ index: 9 });
  host.take('gallery/images/position').resolve({ index: 9 });
  await settle();
  assert.equal(model.detail?.data?.item.path, 'output/img-9.png');
  assert.equal(model.detail?.index, 9);
});

test('reveal clears the filters once when they hide the image, then selects and opens it', async () => {
  const { model, host } = start(300);
  model.setFilter({ sort: 'date', approved: true });
  const revealed = model.reveal('output/img-250.png', true);
  host.take('gallery/images/position').resolve({ index: -1 });
  await settle();
  assert.deepEqual(model.filter, { sort: 'date' });
  host.take('gallery/images/position', (params) => (params['filter'] as { approved?: boolean }).approved === undefined).resolve({ index: 250 });
  await revealed;
  assert.equal(model.selectedIndex, 250);
  assert.equal(model.detail?.path, 'output/img-250.png');
  host.take('gallery/images/list', (params) => (params['filter'] as { approved?: boolean }).approved === undefined).resolve({ generation: 1, matching: 300, items: items(0, pageSize) });
  await settle();
  assert.deepEqual(model.takeScrollRequest(), { kind: 'center', index: 250 });
});

test('rating the current rating clears it; an action reply shows in the status line', async () => {
  const { model, host } = start(300);
  model.openDetail('output/img-3.png', 3);
  host.take('gallery/image/detail').resolve(detail('output/img-3.png', 4));
  await settle();
  const rated = model.rate(4);
  const rate = host.take('gallery/image/rate');
  assert.deepEqual(rate.params, { path: 'output/img-3.png', rating: 0 });
  rate.resolve({ rating: 0 });
  await rated;
  assert.equal(model.detail?.data?.item.rating, 0);
  assert.equal(model.itemAt(3)?.rating, 0);
  const acted = model.act('approve');
  host.take('gallery/image/act').resolve({ message: 'Approved img-3.png.' });
  await acted;
  assert.deepEqual(model.status, { text: 'Approved img-3.png.', error: false });
  // The detail is re-read after an action; if the image is gone, the view closes.
  host.take('gallery/image/detail').reject(new Error('not found'));
  await settle();
  assert.equal(model.detail, null);
});

test('Compare with…: the open image is A, the picked one B; marks compare two images', async () => {
  const { model, host } = start(300);
  model.openDetail('output/img-3.png', 3);
  host.take('gallery/image/detail').resolve(detail('output/img-3.png'));
  await settle();
  model.startPicking();
  assert.equal(model.detail, null);
  assert.equal(model.picking?.path, 'output/img-3.png');
  model.pick(3);
  assert.notEqual(model.picking, null, 'an image is not compared with itself');
  model.pick(8);
  assert.equal(model.picking, null);
  assert.deepEqual(model.compare?.paths, ['output/img-3.png', 'output/img-8.png']);
  host.take('gallery/image/detail', (params) => params['path'] === 'output/img-8.png').resolve(detail('output/img-8.png'));
  model.swapCompare();
  host.take('gallery/image/detail', (params) => params['path'] === 'output/img-3.png').resolve(detail('output/img-3.png'));
  await settle();
  assert.equal(model.compare?.a?.item.path, 'output/img-8.png');
  assert.equal(model.compare?.b?.item.path, 'output/img-3.png');
  assert.deepEqual(model.uiState().compare, ['output/img-8.png', 'output/img-3.png']);
  model.closeCompare();
  model.toggleMark(1);
  model.toggleMark(2);
  model.toggleMark(4);
  assert.deepEqual(model.marked, ['output/img-2.png', 'output/img-4.png']);
  model.compareMarked();
  assert.deepEqual(model.compare?.paths, ['output/img-2.png', 'output/img-4.png']);
  assert.deepEqual(model.marked, []);
});

test('thumbnails are wished for once the viewport settles, in view first, and not again for the same wish', async () => {
  const { model, host } = start(300);
  model.setViewport({ visible: { start: 10, end: 12 }, near: { start: 8, end: 14 } });
  model.setViewport({ visible: { start: 0, end: 2 }, near: { start: 0, end: 4 } });
  assert.equal(host.commands.length, 0);
  await sleep(100);
  assert.deepEqual(host.commands, [{ method: 'gallery/thumbs/want', params: { paths: ['output/img-0.png', 'output/img-1.png', 'output/img-2.png', 'output/img-3.png'] } }]);
  model.thumbsReady([{ path: 'output/img-0.png', uri: 'uri-0' }]);
  assert.equal(model.itemAt(0)?.thumb, 'uri-0');
  model.setViewport({ visible: { start: 0, end: 2 }, near: { start: 0, end: 3 } });
  model.setViewport({ visible: { start: 0, end: 2 }, near: { start: 0, end: 4 } });
  await sleep(100);
  assert.deepEqual(host.commands.at(-1), { method: 'gallery/thumbs/want', params: { paths: ['output/img-1.png', 'output/img-2.png', 'output/img-3.png'] } });
  const sent = host.commands.length;
  model.setViewport({ visible: { start: 0, end: 2 }, near: { start: 0, end: 4 } });
  await sleep(100);
  assert.equal(host.commands.length, sent);
});

test('the UI state is saved on every change of navigation', () => {
  const { model, saved } = start(300);
  model.setScrollTop(500);
  model.select(2);
  assert.deepEqual(saved.at(-1), { filter: { sort: 'date' }, scrollTop: 500, selected: 'output/img-2.png', detail: null, compare: null });
});
