import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { galleryBootstrapSchema, galleryProtocol } from '../../../../src/shared/protocol/gallery';
import { parseMessage } from '../../../../src/shared/protocol/ipc';

const request = (method: string, params: unknown): unknown => ({ v: 1, kind: 'req', id: 1, method, params });
const command = (method: string, params: unknown): unknown => ({ v: 1, kind: 'cmd', method, params });

describe('gallery protocol', () => {
  it('accepts what the webview sends in normal use', () => {
    assert.equal(parseMessage(galleryProtocol.list, request('gallery/images/list', { filter: { sort: 'date', character: 'spyke', from: '2026-11-01' }, offset: 120, limit: 120 })).ok, true);
    assert.equal(parseMessage(galleryProtocol.rate, request('gallery/image/rate', { path: 'output/a.png', rating: 0 })).ok, true);
    assert.equal(parseMessage(galleryProtocol.wantThumbs, command('gallery/thumbs/want', { paths: ['output/a.png'] })).ok, true);
  });

  it('refuses what a webview must not ask for, before any handler runs', () => {
    const refused: Array<[Parameters<typeof parseMessage>[0], unknown]> = [
      [galleryProtocol.list, request('gallery/images/list', { filter: { sort: 'date' }, offset: 0, limit: 501 })],
      [galleryProtocol.list, request('gallery/images/list', { filter: { sort: 'date' }, offset: -1, limit: 10 })],
      [galleryProtocol.list, request('gallery/images/list', { filter: { sort: 'name' }, offset: 0, limit: 10 })],
      [galleryProtocol.list, request('gallery/images/list', { filter: { sort: 'date', from: '1 Nov 2026' }, offset: 0, limit: 10 })],
      [galleryProtocol.rate, request('gallery/image/rate', { path: 'output/a.png', rating: 6 })],
      [galleryProtocol.rate, request('gallery/image/rate', { path: 42, rating: 3 })],
      [galleryProtocol.act, request('gallery/image/act', { path: 'output/a.png', action: 'runShell' })],
      [galleryProtocol.wantThumbs, command('gallery/thumbs/want', { paths: Array.from({ length: 501 }, (_, i) => `output/${i}.png`) })],
      [galleryProtocol.detail, command('gallery/image/detail', { path: 'output/a.png' })],
    ];
    for (const [type, message] of refused) assert.equal(parseMessage(type, message).ok, false, JSON.stringify(message).slice(0, 120));
  });

  it('checks the bootstrap state the webview starts from', () => {
    const summary = { total: 0, matching: 0, characters: [], chapters: [], pages: [], loras: [], checkpoints: [], approved: 0, upscaled: 0 };
    const state = { filter: { sort: 'date' }, scrollTop: 0, selected: null, detail: null, compare: null };
    assert.equal(galleryBootstrapSchema.safeParse({ state, summary, items: [], generation: 0 }).success, true);
    assert.equal(galleryBootstrapSchema.safeParse({ state: { ...state, compare: ['a.png'] }, summary, items: [], generation: 0 }).success, false);
  });
});
