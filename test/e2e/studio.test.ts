// End-to-end tests: the packaged extension in a real VS Code (code-server + Chromium), each test
// in a fresh profile on a fresh copy of its folder. See harness.ts for how a session is started.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import {
  answerInputBoxes,
  builtinExtensionsDir,
  commandLine,
  descendants,
  e2eTimeout as timeout,
  extensionHostLog,
  extensionHostPid,
  inSession,
  openContainer,
  outputChannelLog,
  runCommand,
  screenshot,
  treeItem,
  until,
  view,
} from './harness';

test('the sample studio shows its character and chapter', { timeout }, async () => {
  await inSession({ name: 'sample-studio', studio: 'sample' }, async ({ page, userDataDir }) => {
    await openContainer(page, 'StudioNOVA');
    await treeItem(page, 'Studio', 'Spyke').waitFor();
    await treeItem(page, 'Studio', 'Chapter 1: Neon Run').waitFor();
    assert.match(await treeItem(page, 'Engines', 'ComfyUI').innerText(), /http:\/\/127\.0\.0\.1:8188/);
    await screenshot(page, 'sample-studio');
    await until('the StudioNOVA log says how long activate() took', 10_000, async () =>
      /activate\(\) took \d+(\.\d+)? ms/.test(await outputChannelLog(userDataDir, 'StudioNOVA')),
    );
  });
});

test('New Character asks five questions and adds the character', { timeout }, async () => {
  await inSession({ name: 'new-character', studio: 'sample' }, async ({ page, folder }) => {
    await openContainer(page, 'StudioNOVA');
    await treeItem(page, 'Studio', 'Spyke').waitFor();
    await runCommand(page, 'StudioNOVA: New Character');
    const prefilled = await answerInputBoxes(page, [
      { prompt: 'Character name', value: 'Mira Vale' },
      { prompt: 'Character id' },
      { prompt: 'Trigger word' },
      { prompt: 'Class' },
      { prompt: 'Description' },
    ]);
    assert.deepEqual(prefilled, ['', 'mira-vale', 'mira_vale_v1', 'person', '']);
    await treeItem(page, 'Studio', 'Mira Vale').waitFor();
    await screenshot(page, 'new-character');
    const text = await readFile(path.join(folder, 'characters', 'mira-vale', 'character.md'), 'utf8');
    assert.match(text, /^trigger: mira_vale_v1$/m);
  });
});

test('a character file written on disk appears in the tree within 5 s', { timeout }, async (t: TestContext) => {
  await inSession({ name: 'character-on-disk', studio: 'sample' }, async ({ page, folder }) => {
    await openContainer(page, 'StudioNOVA');
    await treeItem(page, 'Studio', 'Spyke').waitFor();
    await mkdir(path.join(folder, 'characters', 'nova'));
    const written = performance.now();
    await writeFile(
      path.join(folder, 'characters', 'nova', 'character.md'),
      '---\nname: Nova\ntrigger: nova_v1\nclass: woman\n---\n\nA character written by the end-to-end test.\n',
    );
    await treeItem(page, 'Studio', 'Nova').waitFor({ timeout: 5_000 });
    const elapsed = Math.round(performance.now() - written);
    t.diagnostic(`Nova appeared in the tree ${elapsed} ms after its file was written`);
    await screenshot(page, 'character-on-disk');
  });
});

test('New Studio in the welcome view turns a plain folder into a studio', { timeout }, async () => {
  await inSession({ name: 'new-studio', studio: 'empty' }, async ({ page, folder }) => {
    await openContainer(page, 'StudioNOVA');
    const button = view(page, 'Studio').getByRole('button', { name: 'New Studio' });
    await button.waitFor();
    await screenshot(page, 'new-studio-welcome');
    await button.click();
    await until('studio.json is written', 10_000, () => existsSync(path.join(folder, 'studio.json')));
    for (const section of ['Characters', 'Datasets', 'LoRAs', 'Chapters']) {
      await treeItem(page, 'Studio', section).waitFor();
    }
    await screenshot(page, 'new-studio-created');
  });
});

test('a malformed character shows a problem while the others still load', { timeout }, async () => {
  const addBrokenCharacter = async (folder: string): Promise<void> => {
    await mkdir(path.join(folder, 'characters', 'broken'));
    await writeFile(path.join(folder, 'characters', 'broken', 'character.md'), '---\nname: Broken\ntrigger: [unclosed\n---\n');
  };
  await inSession({ name: 'malformed-character', studio: 'sample', prepare: addBrokenCharacter }, async ({ page }) => {
    await openContainer(page, 'StudioNOVA');
    await treeItem(page, 'Studio', 'Spyke').waitFor();
    await runCommand(page, 'View: Focus Problems (Errors, Warnings, Infos)');
    const problems = page.locator('.markers-panel');
    await problems.getByText('character.md', { exact: true }).waitFor();
    await problems.getByText(/Front matter is not valid YAML/).first().waitFor();
    await screenshot(page, 'malformed-character');
  });
});

test('an untrusted folder opens in restricted mode and starts no process', { timeout }, async () => {
  // Stand-ins for the engines' executables that note every call, so that even a process that
  // ends at once (a version probe) is seen; the /proc check below sees the long-lived ones.
  const shims = await mkdtemp(path.join(tmpdir(), 'studionova-shims-'));
  const calls = path.join(shims, 'calls.log');
  for (const name of ['python', 'python3', 'accelerate', 'ollama']) {
    await writeFile(path.join(shims, name), `#!/bin/sh\necho "${name} $*" >> '${calls}'\nexit 1\n`, { mode: 0o755 });
  }
  const env = { PATH: `${shims}:${process.env['PATH'] ?? ''}` };
  try {
    await inSession({ name: 'restricted-mode', studio: 'sample', trusted: false, env }, async ({ page, userDataDir, serverPid }) => {
      await openContainer(page, 'StudioNOVA');
      await page.locator('.statusbar').getByText('Restricted Mode').waitFor();
      await treeItem(page, 'Engines', 'Restricted mode: no engine will be started').waitFor();
      await treeItem(page, 'Studio', 'Spyke').waitFor();
      await treeItem(page, 'Studio', 'Page 1').waitFor();
      await until('the extension host log shows StudioNOVA activating', 10_000, async () =>
        /_doActivateExtension studionova\.studionova\b/.test(await extensionHostLog(userDataDir)),
      );
      await screenshot(page, 'restricted-mode');
      // Built-in extensions start language servers (JSON for settings.json) in any folder.
      const children = await Promise.all((await descendants(await extensionHostPid(serverPid))).map(commandLine));
      const started = children.filter((command) => !command.includes(builtinExtensionsDir));
      assert.deepEqual(started, [], 'processes below the extension host');
      assert.equal(existsSync(calls) ? await readFile(calls, 'utf8') : '', '', 'engine executables called');
      const errors = page.locator('.notifications-toasts .notification-list-item-icon.codicon-error');
      assert.equal(await errors.count(), 0, 'error notifications shown');
    });
  } finally {
    await rm(shims, { recursive: true, force: true });
  }
});
