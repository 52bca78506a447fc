import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanPromptDraft } from '../../../../src/core/ollama/promptDraft';

describe('cleanPromptDraft', () => {
  it('keeps a one-line answer as it is', () => {
    assert.equal(cleanPromptDraft('a man, blue hair, running, wide shot, neon city, rain, manga style'), 'a man, blue hair, running, wide shot, neon city, rain, manga style');
  });

  it('drops a preamble, quotes, list marks and line breaks, and doubled commas', () => {
    assert.equal(cleanPromptDraft('Here is the prompt:\n"a man, blue hair,, running"'), 'a man, blue hair, running');
    assert.equal(cleanPromptDraft('Prompt: - a girl\n- red scarf\n2. standing, \n\nsnowy street,'), 'a girl, red scarf, standing, snowy street');
  });
});
