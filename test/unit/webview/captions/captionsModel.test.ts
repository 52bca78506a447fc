import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CaptionChangeResult, CaptionRow, CaptionsBootstrap } from '../../../../src/shared/protocol/captions';
import type { CommandType, NotificationType, RequestType } from '../../../../src/shared/protocol/ipc';
import type { HostClient } from '../../../../webview/shared/hostConnection';
import { CaptionsModel } from '../../../../webview/captions/captionsModel';

const row = (id: string, text: string): CaptionRow => ({ id, name: `${id}.png`, image: `img/${id}.png`, thumb: null, text, missing: false, notUtf8: false });

const bootstrap: CaptionsBootstrap = {
  datasetId: 'spyke',
  trigger: 'spyke',
  rows: [row('a', 'spyke, red hair'), row('b', 'spyke, red hair, rain')],
  tags: [],
  conflicts: [],
  history: { canUndo: false, canRedo: false },
  saving: null,
  readOnly: false,
  autoCaption: { template: 'Caption {trigger}', defaultTemplate: 'Caption {trigger}', model: null, class: 'woman' },
};

/** Answers every request with `answer`. */
function fakeHost(answer: CaptionChangeResult): HostClient {
  return {
    request<P, R>(_type: RequestType<string, P, R>): Promise<R> {
      return Promise.resolve(answer as R);
    },
    command<P>(_type: CommandType<string, P>): void {},
    onNotification<P>(_type: NotificationType<string, P>): () => void {
      return () => undefined;
    },
  };
}

const replaced: CaptionChangeResult = {
  rows: [row('a', 'spyke, silver hair'), row('b', 'spyke, silver hair, rain')],
  saving: { id: 7, count: 2 },
  skipped: 0,
  conflicts: [],
  error: null,
  history: { canUndo: false, canRedo: false },
};

test('a change shows at once and says "saving" until its save ends; batch edits wait for it', async () => {
  const model = new CaptionsModel(bootstrap, { host: fakeHost(replaced), warn: () => undefined });
  await model.apply({ kind: 'replace', find: 'red hair', replace: 'silver hair', regex: false, caseSensitive: true }, (n) => `Replaced in ${n}`, 'No caption matches');
  assert.equal(model.row('a')?.text, 'spyke, silver hair');
  assert.deepEqual(model.status, { text: 'Saving 2 captions…', error: false });
  assert.deepEqual(model.saving, { id: 7, count: 2 });

  model.saveFinished({ id: 7, saved: 2, conflicts: [], failed: [], rows: [], history: { canUndo: true, canRedo: false } });
  assert.equal(model.saving, null);
  assert.deepEqual(model.status, { text: 'Replaced in 2 captions.', error: false });
  assert.equal(model.canUndo, true);
  assert.equal(model.row('b')?.text, 'spyke, silver hair, rain');
});

test('a save that met a change on disk marks the row and shows the version the disk has', async () => {
  const model = new CaptionsModel(bootstrap, { host: fakeHost(replaced), warn: () => undefined });
  await model.apply({ kind: 'replace', find: 'red hair', replace: 'silver hair', regex: false, caseSensitive: true }, (n) => `Replaced in ${n}`, 'No caption matches');
  model.saveFinished({
    id: 7,
    saved: 1,
    conflicts: [{ id: 'a', mine: 'spyke, silver hair', theirs: 'spyke, red hair, edited' }],
    failed: [],
    rows: [row('a', 'spyke, red hair')],
    history: { canUndo: true, canRedo: false },
  });
  assert.equal(model.row('a')?.text, 'spyke, red hair');
  assert.equal(model.conflicts.get('a')?.theirs, 'spyke, red hair, edited');
  assert.deepEqual(model.status, { text: 'Replaced in 1 caption. 1 caption changed on disk meanwhile: choose on the marked rows.', error: true });
});

test('an editor opened while a save is written says so, and the end of that save is told plainly', () => {
  const model = new CaptionsModel({ ...bootstrap, saving: { id: 3, count: 2000 } }, { host: fakeHost(replaced), warn: () => undefined });
  assert.deepEqual(model.status, { text: 'Saving 2,000 captions…', error: false });
  model.saveFinished({ id: 3, saved: 2000, conflicts: [], failed: [], rows: [], history: { canUndo: true, canRedo: false } });
  assert.deepEqual(model.status, { text: 'Saved 2,000 captions.', error: false });
  assert.equal(model.saving, null);
});

test('an edit that could not run says why, and nothing is being saved', async () => {
  const model = new CaptionsModel(bootstrap, { host: fakeHost({ ...replaced, rows: [], saving: null, error: 'Not a valid regular expression: (' }), warn: () => undefined });
  await model.apply({ kind: 'replace', find: '(', replace: '', regex: true, caseSensitive: true }, (n) => `Replaced in ${n}`, 'No caption matches');
  assert.deepEqual(model.status, { text: 'Not a valid regular expression: (', error: true });
  assert.equal(model.saving, null);
});

test('an edit made on a text the caption no longer has comes back as a conflict to settle, with the disk\'s text shown', async () => {
  const answer: CaptionChangeResult = {
    rows: [row('a', 'spyke, red hair, edited elsewhere')],
    saving: null,
    skipped: 0,
    conflicts: [{ id: 'a', mine: 'spyke, red hair, smiling', theirs: 'spyke, red hair, edited elsewhere' }],
    error: null,
    history: { canUndo: false, canRedo: false },
  };
  const sent: unknown[] = [];
  const host = fakeHost(answer);
  const model = new CaptionsModel(bootstrap, {
    host: { ...host, request: (type, params) => (sent.push(params), host.request(type, params)) },
    warn: () => undefined,
  });
  await model.setCaption('a', 'spyke, red hair, smiling', 'spyke, red hair');
  assert.deepEqual(sent, [{ id: 'a', text: 'spyke, red hair, smiling', base: 'spyke, red hair' }]);
  assert.equal(model.conflicts.get('a')?.mine, 'spyke, red hair, smiling');
  assert.equal(model.row('a')?.text, 'spyke, red hair, edited elsewhere');
  assert.deepEqual(model.status, { text: 'Nothing saved. 1 caption changed on disk meanwhile: choose on the marked rows.', error: true });
});
