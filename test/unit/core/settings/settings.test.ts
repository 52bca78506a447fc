import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hardwarePresets } from '../../../../src/core/settings/hardware';
import { engineRows } from '../../../../src/core/settings/engineRows';
import { defaultSettings, parseSettings } from '../../../../src/core/settings/settings';

describe('parseSettings', () => {
  it('defaults to connected ComfyUI on loopback and the Apple M1 16 GB profile', () => {
    assert.equal(defaultSettings.comfyui.url, 'http://127.0.0.1:8188');
    assert.equal(defaultSettings.ollama.url, 'http://127.0.0.1:11434');
    assert.deepEqual(defaultSettings.hardware, {
      profile: 'apple-m1-16gb',
      limits: { maxWidth: 512, maxHeight: 768, trainBatchSize: 1, exclusiveGpu: true },
      generationDuringTraining: 'refuse',
    });
  });

  it('has at least two presets larger than the M1 one', () => {
    const m1 = hardwarePresets['apple-m1-16gb'].limits;
    const larger = Object.values(hardwarePresets).filter((p) => p.limits.maxWidth * p.limits.maxHeight > m1.maxWidth * m1.maxHeight);
    assert.ok(larger.length >= 2);
  });

  it('uses the custom limits only for the custom profile', () => {
    const custom = { maxWidth: 640, maxHeight: 640, trainBatchSize: 3, exclusiveGpu: false };
    assert.deepEqual(parseSettings({ 'hardware.profile': 'custom', 'hardware.custom': custom }).settings.hardware.limits, custom);
    assert.deepEqual(parseSettings({ 'hardware.profile': 'nvidia-24gb', 'hardware.custom': custom }).settings.hardware.limits, hardwarePresets['nvidia-24gb'].limits);
  });

  it('falls back to the default for a bad value and names the setting', () => {
    const { settings, problems } = parseSettings({ 'comfyui.url': 'ftp://x', 'hardware.profile': 'gpu9000', 'sdScripts.folder': '/opt/sd-scripts' });
    assert.equal(settings.comfyui.url, 'http://127.0.0.1:8188');
    assert.equal(settings.hardware.profile, 'apple-m1-16gb');
    assert.equal(settings.sdScripts.folder, '/opt/sd-scripts');
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /^studionova\.comfyui\.url: /);
    assert.match(problems[1]!, /^studionova\.hardware\.profile: /);
  });
});

describe('engineRows', () => {
  it('describes connected ComfyUI by its URL and managed ComfyUI by its folder', () => {
    const [comfy] = engineRows(defaultSettings);
    assert.equal(comfy!.description, 'http://127.0.0.1:8188');
    const managed = parseSettings({ 'comfyui.mode': 'managed', 'comfyui.folder': '/opt/ComfyUI' }).settings;
    assert.equal(engineRows(managed)[0]!.description, 'managed · /opt/ComfyUI');
  });

  it('shows unset folders as such and the hardware limits in words', () => {
    const rows = engineRows(defaultSettings);
    assert.deepEqual(rows.map((r) => r.label), ['ComfyUI', 'sd-scripts', 'Ollama', 'Hardware']);
    assert.equal(rows[1]!.description, 'folder not set');
    assert.equal(rows[3]!.description, 'Apple M1, 16 GB · 512×768, batch 1, GPU exclusive');
  });
});
