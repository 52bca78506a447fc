import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanCaption, defaultCaptionTemplate, fillCaptionTemplate } from '../../../../src/core/ollama/captionPrompt';

const spyke = { trigger: 'spyke', class: 'woman', existing: '' };

describe('fillCaptionTemplate', () => {
  it('fills trigger, class and existing', () => {
    const filled = fillCaptionTemplate('Caption {trigger}, a {class}. Now: {existing}', { ...spyke, existing: 'spyke, full body' });
    assert.equal(filled.text, 'Caption spyke, a woman. Now: spyke, full body');
    assert.deepEqual(filled.unknownVariables, []);
  });

  it('leaves unknown variables as written and reports each once', () => {
    const filled = fillCaptionTemplate('{trigger} {mood} {Trigger} {mood}', spyke);
    assert.equal(filled.text, 'spyke {mood} {Trigger} {mood}');
    assert.deepEqual(filled.unknownVariables, ['mood', 'Trigger']);
  });

  it('does not take JSON braces or spaced names for variables', () => {
    const filled = fillCaptionTemplate('Answer as {"tags": []} or { trigger }', spyke);
    assert.equal(filled.text, 'Answer as {"tags": []} or { trigger }');
    assert.deepEqual(filled.unknownVariables, []);
  });

  it('drops a line whose variables are all empty, and keeps lines where one is set', () => {
    const template = 'Tag {trigger}.\nCurrent caption: {existing}\n{existing} for {trigger}';
    assert.equal(fillCaptionTemplate(template, spyke).text, 'Tag spyke.\n for spyke');
  });

  it('puts a caption of several lines on one line', () => {
    assert.equal(fillCaptionTemplate('Now: {existing}', { ...spyke, existing: 'spyke, close-up\nbeach\n' }).text, 'Now: spyke, close-up, beach');
  });

  it('does not fill variables again inside the values', () => {
    assert.equal(fillCaptionTemplate('{existing}', { ...spyke, existing: 'a {trigger} b' }).text, 'a {trigger} b');
  });

  it('has a default template in the caption format trigger, framing, pose/action, background', () => {
    const filled = fillCaptionTemplate(defaultCaptionTemplate, spyke);
    assert.deepEqual(filled.unknownVariables, []);
    assert.match(filled.text, /^spyke, framing, pose or action, background$/m);
    assert.match(filled.text, /a LoRA of spyke, a woman/);
    assert.doesNotMatch(filled.text, /current caption/i, 'no existing caption, no line about it');
    assert.match(fillCaptionTemplate(defaultCaptionTemplate, { ...spyke, existing: 'spyke, beach' }).text, /: spyke, beach$/m);
  });
});

describe('cleanCaption', () => {
  const cases: [string, string, string][] = [
    ['already clean', 'spyke, upper body, arms crossed, city street at night', 'spyke, upper body, arms crossed, city street at night'],
    ['trigger missing, final full stop', 'upper body, running, beach.', 'spyke, upper body, running, beach'],
    ['trigger twice and in another case', 'Spyke, spyke, full body, SPYKE, kneeling, forest', 'spyke, full body, kneeling, forest'],
    ['trigger inside a tag', 'close-up, spyke smiling, library', 'spyke, close-up, smiling, library'],
    ['several lines', 'upper body\nwaving\nrooftop at sunset', 'spyke, upper body, waving, rooftop at sunset'],
    ['bullets and labels', '- Framing: cowboy shot\n- Pose/action: holding a sword\n- Background: rainy alley', 'spyke, cowboy shot, holding a sword, rainy alley'],
    ['an introduction line and quotes', 'Here is the caption:\n"spyke, portrait, looking over the shoulder, classroom"', 'spyke, portrait, looking over the shoulder, classroom'],
    ['a labelled answer on one line', 'Caption: spyke, side view, walking away, beach', 'spyke, side view, walking away, beach'],
    ['code fences', '```\nspyke, full body, jumping, beach\n```', 'spyke, full body, jumping, beach'],
    ['a thinking block', '<think>The image shows a woman.</think>\nupper body, sitting, park', 'spyke, upper body, sitting, park'],
    ['sentence openings and "and"', 'The image shows upper body, standing, and a forest clearing.', 'spyke, upper body, standing, a forest clearing'],
    ['repeated tags and empty parts', 'beach, , Beach; sitting,,', 'spyke, beach, sitting'],
    ['semicolons and extra spaces', 'full   body;  running ;beach', 'spyke, full body, running, beach'],
    ['nothing useful', '  \n ', 'spyke'],
  ];
  for (const [name, answer, caption] of cases) {
    it(name, () => assert.equal(cleanCaption(answer, 'spyke'), caption));
  }

  it('keeps words that only contain the trigger', () => {
    assert.equal(cleanCaption('spykes on the wall, spyke-like hair', 'spyke'), 'spyke, spykes on the wall, -like hair');
  });

  it('treats a trigger with regex characters literally', () => {
    assert.equal(cleanCaption('c.c., upper body, c.c.', 'c.c.'), 'c.c., upper body');
    assert.equal(cleanCaption('ccc, upper body', 'c.c'), 'c.c, ccc, upper body');
  });

  it('without a trigger word gives the tags alone', () => {
    assert.equal(cleanCaption('Upper body, beach.', ''), 'Upper body, beach');
  });

  it('always gives a single line', () => {
    assert.doesNotMatch(cleanCaption('a\nb\r\nc', 'spyke'), /[\r\n]/);
  });
});
