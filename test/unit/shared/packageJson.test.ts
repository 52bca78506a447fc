import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { machineScopedKeys, rawSettingsSchema } from '../../../src/core/settings/settings';
import { CommandId, configSection, ContextKey, ViewId } from '../../../src/shared/ids';

interface Contributes {
  commands: Array<{ command: string; title: string; category?: string }>;
  views: Record<string, Array<{ id: string }>>;
  viewsWelcome: Array<{ view: string; when?: string }>;
  menus: Record<string, Array<{ command: string; when?: string }>>;
  configuration: Array<{ properties: Record<string, { scope?: string }> }>;
}
const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { contributes: Contributes; activationEvents: string[]; capabilities: { untrustedWorkspaces: { supported: string } } };
const contributes = manifest.contributes;

describe('package.json', () => {
  it('contributes exactly the commands of CommandId, each with the StudioNOVA category', () => {
    assert.deepEqual(contributes.commands.map((c) => c.command).sort(), Object.values(CommandId).sort());
    for (const command of contributes.commands) assert.equal(command.category, 'StudioNOVA', command.command);
  });

  it('menus name only contributed commands', () => {
    const known = new Set<string>(Object.values(CommandId));
    for (const [menu, items] of Object.entries(contributes.menus)) {
      for (const item of items) assert.ok(known.has(item.command), `${menu}: ${item.command}`);
    }
  });

  it('contributes the views of ViewId and welcome views keyed on the studio context key', () => {
    assert.deepEqual(contributes.views['studionova']!.map((v) => v.id), Object.values(ViewId));
    assert.ok(contributes.viewsWelcome.some((w) => w.view === ViewId.studio && w.when?.includes(`${ContextKey.studioState} == none`)));
  });

  it('declares every setting the core reads, and makes executable paths machine-scoped', () => {
    const properties = Object.assign({}, ...contributes.configuration.map((c) => c.properties)) as Record<string, { scope?: string }>;
    assert.deepEqual(Object.keys(properties).sort(), Object.keys(rawSettingsSchema.def.shape).map((k) => `${configSection}.${k}`).sort());
    for (const key of machineScopedKeys) assert.equal(properties[`${configSection}.${key}`]?.scope, 'machine', key);
  });

  it('never activates on startup, and supports untrusted folders in a limited way', () => {
    assert.ok(!manifest.activationEvents.includes('*'));
    assert.ok(!manifest.activationEvents.includes('onStartupFinished'));
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
  });
});
